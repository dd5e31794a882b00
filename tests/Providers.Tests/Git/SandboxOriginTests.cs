using Gantry.Providers.Git;
using Gantry.Providers.Sandbox;

namespace Gantry.Providers.Tests.Git;

/// <summary>
/// The sandbox origin is made by whichever process needs it first, with others (serve, workers, the CLI) on the same
/// data folder at the same moment and any of them killed half-way. Whoever gets a path back gets the whole history.
/// </summary>
public sealed class SandboxOriginTests : IDisposable
{
    private static readonly string[] ScenarioTags = ["nightly-build", "v2.9.0", "v3.0.0", "v3.1.0-rc1"];

    private readonly string _data = Directory.CreateTempSubdirectory("gantry-sandbox-origin-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Fact]
    public async Task ManyMakingItAtOnce_EachGetsAnOriginWithEveryTagTheMomentItReturns()
    {
        // No lock is shared between these calls, as none is between processes: each builds its own, one wins.
        var calls = Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
        {
            var origin = await SandboxOrigin.EnsureAsync(_data, CancellationToken.None);
            return (Origin: origin, Tags: await TagsAsync(origin));
        }));

        var results = await Task.WhenAll(calls);

        Assert.All(results, r => Assert.Equal(ScenarioTags, r.Tags));
        Assert.Single(results.Select(r => r.Origin).Distinct());
        Assert.Equal(["origin.git"], Directory.GetFileSystemEntries(Path.Combine(_data, "sandbox")).Select(Path.GetFileName));
    }

    [Fact]
    public async Task BuildsLeftByKilledProcesses_AreNeverUsed_AndOldOnesAreCleanedUp()
    {
        var sandbox = Directory.CreateDirectory(Path.Combine(_data, "sandbox")).FullName;
        var abandoned = HalfBuilt(sandbox, ".origin-build-0a", DateTime.UtcNow.AddHours(-1));
        var inProgress = HalfBuilt(sandbox, ".origin-build-0b", DateTime.UtcNow);

        var origin = await SandboxOrigin.EnsureAsync(_data, CancellationToken.None);

        Assert.Equal(Path.Combine(sandbox, "origin.git"), origin);
        Assert.Equal(ScenarioTags, await TagsAsync(origin));
        Assert.False(Directory.Exists(abandoned), "a build abandoned an hour ago is deleted");
        Assert.True(Directory.Exists(inProgress), "a build another process may still be running is left to it");
    }

    [Fact]
    public async Task AnOriginAlreadyThere_IsKeptAsItIs()
    {
        var origin = await SandboxOrigin.EnsureAsync(_data, CancellationToken.None);
        var git = new GitCommandRunner();
        await git.RunAsync(origin, ["tag", "v3.0.1", "v3.0.0"], CancellationToken.None);

        var again = await SandboxOrigin.EnsureAsync(_data, CancellationToken.None);

        Assert.Equal(origin, again);
        Assert.Contains("v3.0.1", await TagsAsync(again));
    }

    /// <summary>A build as a SIGKILL leaves it: an empty repository cloned bare, no tags yet.</summary>
    private static string HalfBuilt(string sandbox, string name, DateTime lastWrite)
    {
        var folder = Path.Combine(sandbox, name);
        Directory.CreateDirectory(Path.Combine(folder, "origin.git", "refs", "tags"));
        Directory.SetLastWriteTimeUtc(folder, lastWrite);
        return folder;
    }

    private static async Task<string[]> TagsAsync(string origin)
    {
        var result = await new GitCommandRunner().RunAsync(Path.GetTempPath(), ["ls-remote", "--tags", "--refs", origin], CancellationToken.None);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t')[1]["refs/tags/".Length..])
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
