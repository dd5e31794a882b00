using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Providers.Sandbox;

namespace Gantry.Providers.Git;

/// <summary>Builds the per-environment clone for a step: origin, flow naming and credentials from the environment.</summary>
internal static class GitWorkspaceFactory
{
    public static Task<GitWorkspace> OpenAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new GitException($"{context.ActivityName} needs an environment (--env) naming the repository");
        return OpenAsync(environment, context.DataDirectory, context.Secrets, cancellationToken);
    }

    /// <summary>
    /// The environment's workspace as it is: no clone is made, fetched or reset. For questions asked
    /// of origin with <c>ls-remote</c> (resolving a tag costs one round trip), and for committing an
    /// edit an earlier step made in the clone.
    /// </summary>
    public static Task<GitWorkspace> OpenAsIsAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new GitException($"{context.ActivityName} needs an environment (--env) naming the repository");
        return CreateAsync(environment, context.DataDirectory, context.Secrets, cancellationToken);
    }

    /// <summary>The environment's clone, fetched and clean; dispose it when the git work is done (it deletes a key written from a secret).</summary>
    public static async Task<GitWorkspace> OpenAsync(
        EnvironmentDefinition environment,
        string dataDirectory,
        ISecretAccessor secrets,
        CancellationToken cancellationToken)
    {
        var workspace = await CreateAsync(environment, dataDirectory, secrets, cancellationToken).ConfigureAwait(false);
        try
        {
            await workspace.EnsureCloneAsync(cancellationToken).ConfigureAwait(false);
            return workspace;
        }
        catch
        {
            workspace.Dispose();
            throw;
        }
    }

    /// <summary>Resolves <c>stable</c>, <c>latest</c> or an exact tag on the environment's origin, without a clone (<c>gantry deploy
    /// --ref</c>).</summary>
    public static async Task<LatestTag> LatestTagAsync(
        EnvironmentDefinition environment,
        string dataDirectory,
        ISecretAccessor secrets,
        string reference,
        CancellationToken cancellationToken)
    {
        using var workspace = await CreateAsync(environment, dataDirectory, secrets, cancellationToken).ConfigureAwait(false);
        return await workspace.LatestTagAsync(reference, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Resolves a deploy's tag, branch or commit on the environment's origin, without a clone.</summary>
    public static async Task<ResolvedRef> ResolveRefAsync(
        EnvironmentDefinition environment,
        string dataDirectory,
        ISecretAccessor secrets,
        string reference,
        CancellationToken cancellationToken)
    {
        using var workspace = await CreateAsync(environment, dataDirectory, secrets, cancellationToken).ConfigureAwait(false);
        return await workspace.ResolveRefAsync(reference, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<GitWorkspace> CreateAsync(
        EnvironmentDefinition environment,
        string dataDirectory,
        ISecretAccessor secrets,
        CancellationToken cancellationToken)
    {
        var repository = environment.Repository;
        var url = repository.Url ?? throw new GitException($"environment {environment.Id} has no repository.url");
        if (url == "sandbox")
        {
            // The sandbox environment gets a real local origin with the scenario's history, made once.
            url = await SandboxOrigin.EnsureAsync(dataDirectory, cancellationToken).ConfigureAwait(false);
        }
        else if (!url.Contains("://", StringComparison.Ordinal) && !url.Contains('@', StringComparison.Ordinal) && !Path.IsPathRooted(url))
        {
            url = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(environment.SourcePath) ?? ".", url));
        }

        var keyPath = repository.SshKeySecret is { } secret
            ? await WriteKeyAsync(Path.Combine(dataDirectory, "keys"), environment.Id, secrets.Get(secret), cancellationToken).ConfigureAwait(false)
            : null;

        var workspace = new GitWorkspace(new GitWorkspaceOptions
        {
            RepositoryUrl = url,
            DataDirectory = Path.GetFullPath(dataDirectory),
            EnvironmentName = environment.Id,
            SshKeyPath = keyPath,
            OwnsSshKey = keyPath is not null,
            SshKnownHostsPath = ResolveKnownHosts(environment),
            Flow = new GitFlowOptions
            {
                ProductionBranch = repository.ProductionBranch,
                DevelopBranch = repository.DevelopBranch,
                HotfixPrefix = repository.HotfixPrefix,
                ReleasePrefix = repository.ReleasePrefix,
                TagPrefix = repository.TagPrefix,
            },
        });
        return workspace;
    }

    /// <summary>
    /// The secret's key in a file of its own for one workspace, readable by Gantry's user only from
    /// the moment it exists; the workspace deletes it when disposed. Keys older than a day were left
    /// by a process that ended first, and are deleted here.
    /// </summary>
    private static async Task<string> WriteKeyAsync(string folder, string environmentId, string key, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        foreach (var stale in new DirectoryInfo(folder).EnumerateFiles().Where(f => f.LastWriteTimeUtc < DateTime.UtcNow.AddDays(-1)))
        {
            stale.Delete();
        }

        var path = Path.Combine(folder, $"{environmentId}-git-{Guid.NewGuid():N}");
        var options = new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        };
        var file = new StreamWriter(path, options);
        await using var fileScope = file.ConfigureAwait(false);
        await file.WriteAsync(key.AsMemory(), cancellationToken).ConfigureAwait(false);
        return path;
    }

    private static string? ResolveKnownHosts(EnvironmentDefinition environment) =>
        environment.Ssh.KnownHosts is { } file
            ? Path.IsPathRooted(file) ? file : Path.Combine(Path.GetDirectoryName(environment.SourcePath) ?? ".", file)
            : null;
}
