using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Providers.Git;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Git;

/// <summary>
/// An origin reached over SSH (the fleet's real sshd), with the key from the environment's
/// <c>repository.ssh_key_secret</c> and the host key pinned by its <c>ssh.known_hosts</c>.
/// </summary>
[Collection(SshFleetCollection.Name)]
public sealed class GitOverSshTests(SshFleetFixture fleet) : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "gantry-git-ssh-" + Guid.NewGuid().ToString("N")[..8]);

    private string KeysFolder => Path.Combine(_data, "keys");

    [Fact]
    public async Task ResolveRef_KeyFromSecret_ReachesOriginOverSshAndLeavesNoKeyFileBehind()
    {
        var secrets = new KeySecret(await File.ReadAllTextAsync(fleet.ClientKeyPath));

        var resolved = await GitWorkspaceFactory.ResolveRefAsync(Environment(), _data, secrets, "v3.0.1", CancellationToken.None);

        Assert.Equal(("v3.0.1", GitRefKind.Tag, "v3.0.1"), (resolved.Ref, resolved.Kind, resolved.Release));
        Assert.Equal(await fleet.ShortCommitAsync("v3.0.1"), resolved.Commit[..7]);
        Assert.Empty(Directory.GetFiles(KeysFolder));
    }

    [Fact]
    public async Task OpenAsync_Clone_UsesTheKeyOnlyWhileTheWorkspaceIsOpen()
    {
        var secrets = new KeySecret(await File.ReadAllTextAsync(fleet.ClientKeyPath));

        using (var workspace = await GitWorkspaceFactory.OpenAsync(Environment(), _data, secrets, CancellationToken.None))
        {
            var key = Assert.Single(Directory.GetFiles(KeysFolder));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            Assert.True(File.Exists(Path.Combine(workspace.WorkingDirectory, "VERSION")));
        }

        Assert.Empty(Directory.GetFiles(KeysFolder));
    }

    [Fact]
    public async Task OpenAsync_StaleKeyOfAnEndedProcess_IsDeleted()
    {
        Directory.CreateDirectory(KeysFolder);
        var stale = Path.Combine(KeysFolder, "production-git-0123456789abcdef");
        await File.WriteAllTextAsync(stale, "left by a process that was killed");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow.AddDays(-2));
        var secrets = new KeySecret(await File.ReadAllTextAsync(fleet.ClientKeyPath));

        await GitWorkspaceFactory.ResolveRefAsync(Environment(), _data, secrets, "v3.0.0", CancellationToken.None);

        Assert.False(File.Exists(stale));
    }

    public void Dispose() => Directory.Delete(_data, recursive: true);

    private EnvironmentDefinition Environment() => new()
    {
        Id = "production",
        SourcePath = Path.Combine(fleet.Root, "env", "production.yaml"),
        Repository = new RepositorySettings
        {
            Url = $"ssh://{fleet.User}@{fleet.Hosts[0].Address}:{fleet.Port}{Path.Combine(fleet.Root, "origin.git")}",
            SshKeySecret = "git_key",
        },
        Ssh = new SshSettings { KnownHosts = fleet.KnownHostsPath },
    };

    private sealed class KeySecret(string key) : ISecretAccessor
    {
        public SecretMasker Masker { get; } = new();

        public string Get(string name) => name == "git_key" ? key : throw new KeyNotFoundException(name);
    }
}
