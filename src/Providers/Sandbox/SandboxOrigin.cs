using Gantry.Providers.Git;

namespace Gantry.Providers.Sandbox;

/// <summary>
/// The sandbox environment's git origin: a real bare repository in the data folder with the
/// scenario's history (production and develop, v3.0.0 released, a release candidate, a junk tag),
/// made the first time it is needed.
/// </summary>
/// <remarks>
/// Several processes share a data folder (<c>gantry serve</c>, workers, the CLI), and any of them can be killed
/// half-way. So the origin is built in a folder of its own and renamed into place: <c>origin.git</c> exists
/// only complete. Before, it was built in place, and a process that found the folder while another was still
/// cloning into it (or after that one was SIGKILLed) used a repository without tags: "No stable release tag
/// found" (CI, seed 1931050737).
/// </remarks>
internal static class SandboxOrigin
{
    private const string BuildPrefix = ".origin-build-";

    /// <summary>A build older than this was left by a killed process (a build takes about a second).</summary>
    private static readonly TimeSpan AbandonedAfter = TimeSpan.FromMinutes(10);

    public static async Task<string> EnsureAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var sandbox = Path.GetFullPath(Path.Combine(dataDirectory, "sandbox"));
        var origin = Path.Combine(sandbox, "origin.git");
        if (Directory.Exists(origin))
        {
            return origin;
        }

        Directory.CreateDirectory(sandbox);
        DeleteAbandonedBuilds(sandbox);
        var build = Path.Combine(sandbox, BuildPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            var bare = await BuildAsync(build, cancellationToken).ConfigureAwait(false);
            try
            {
                Directory.Move(bare, origin);
            }
            catch (IOException) when (Directory.Exists(origin))
            {
                // Another process finished first; its origin has the same history.
            }

            return origin;
        }
        finally
        {
            DeleteQuietly(build);
        }
    }

    /// <summary>Builds the scenario's history in <paramref name="build"/> and returns the bare repository made from it.</summary>
    private static async Task<string> BuildAsync(string build, CancellationToken cancellationToken)
    {
        var git = new GitCommandRunner(new GitRunnerOptions
        {
            Environment = new Dictionary<string, string>
            {
                ["GIT_AUTHOR_NAME"] = "Sandbox", ["GIT_AUTHOR_EMAIL"] = "sandbox@localhost",
                ["GIT_COMMITTER_NAME"] = "Sandbox", ["GIT_COMMITTER_EMAIL"] = "sandbox@localhost",
            },
        });
        var seed = Path.Combine(build, "seed");
        var bare = Path.Combine(build, "origin.git");
        Directory.CreateDirectory(Path.Combine(seed, "opensky", "config"));
        await git.RunAsync(seed, ["init", "-q", "-b", "production"], cancellationToken).ConfigureAwait(false);
        await CommitVersionAsync(git, seed, "2.9.0", "v2.9.0", cancellationToken).ConfigureAwait(false);
        await CommitVersionAsync(git, seed, "3.0.0", "v3.0.0", cancellationToken).ConfigureAwait(false);
        await git.RunAsync(seed, ["tag", "nightly-build"], cancellationToken).ConfigureAwait(false);
        await git.RunAsync(seed, ["checkout", "-q", "-b", "develop"], cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(seed, "CHANGES.md"), "# Changes\n\n- work in progress on 3.1\n", cancellationToken)
            .ConfigureAwait(false);
        await git.RunAsync(seed, ["add", "-A"], cancellationToken).ConfigureAwait(false);
        await git.RunAsync(seed, ["commit", "-q", "-m", "Start 3.1 work"], cancellationToken).ConfigureAwait(false);
        await git.RunAsync(seed, ["tag", "-a", "v3.1.0-rc1", "-m", "Release candidate 3.1.0-rc1"], cancellationToken).ConfigureAwait(false);
        await git.RunAsync(build, ["clone", "-q", "--bare", seed, bare], cancellationToken).ConfigureAwait(false);
        return bare;
    }

    private static void DeleteAbandonedBuilds(string sandbox)
    {
        foreach (var folder in Directory.EnumerateDirectories(sandbox, BuildPrefix + "*"))
        {
            if (DateTime.UtcNow - Directory.GetLastWriteTimeUtc(folder) > AbandonedAfter)
            {
                DeleteQuietly(folder);
            }
        }
    }

    /// <summary>Deletes a build folder; one another process deletes at the same time is already gone, which is the point.</summary>
    private static void DeleteQuietly(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already deleted.
        }
    }

    /// <summary>The version file as real teams have it: the literal key opensky.version under [opensky], with other keys and comments.</summary>
    internal static string VersionIni(string version) =>
        $"; OpenSky release settings; the hotfix and the daily release bump opensky.version\n[opensky]\nopensky.name = OpenSky\nopensky.version = "
        + $"{version}\n\n[build]\n; the toolchain's version, not the app's\nversion = 14\n";

    private static async Task CommitVersionAsync(GitCommandRunner git, string repo, string version, string tag, CancellationToken cancellationToken)
    {
        await File.WriteAllTextAsync(Path.Combine(repo, "opensky", "config", "version.ini"), VersionIni(version), cancellationToken)
            .ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(repo, "VERSION"), version + "\n", cancellationToken).ConfigureAwait(false);
        await git.RunAsync(repo, ["add", "-A"], cancellationToken).ConfigureAwait(false);
        await git.RunAsync(repo, ["commit", "-q", "-m", $"Release {version}"], cancellationToken).ConfigureAwait(false);
        await git.RunAsync(repo, ["tag", "-a", tag, "-m", $"Release {version}"], cancellationToken).ConfigureAwait(false);
    }
}
