using Gantry.Providers.Git;

namespace Gantry.Providers.Sandbox;

/// <summary>
/// The sandbox environment's git origin: a real bare repository in the data folder with the
/// scenario's history (production and develop, v3.0.0 released, a release candidate, a junk tag),
/// made the first time it is needed.
/// </summary>
internal static class SandboxOrigin
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public static async Task<string> EnsureAsync(string dataDirectory, CancellationToken cancellationToken)
    {
        var origin = Path.GetFullPath(Path.Combine(dataDirectory, "sandbox", "origin.git"));
        await Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Directory.Exists(origin))
            {
                return origin;
            }

            var git = new GitCommandRunner(new GitRunnerOptions
            {
                Environment = new Dictionary<string, string>
                {
                    ["GIT_AUTHOR_NAME"] = "Sandbox", ["GIT_AUTHOR_EMAIL"] = "sandbox@localhost",
                    ["GIT_COMMITTER_NAME"] = "Sandbox", ["GIT_COMMITTER_EMAIL"] = "sandbox@localhost",
                },
            });
            var seed = origin + ".seed";
            if (Directory.Exists(seed))
            {
                Directory.Delete(seed, recursive: true);
            }

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
            await git.RunAsync(Path.GetDirectoryName(origin)!, ["clone", "-q", "--bare", seed, origin], cancellationToken).ConfigureAwait(false);
            Directory.Delete(seed, recursive: true);
            return origin;
        }
        finally
        {
            Gate.Release();
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
