using System.Text.RegularExpressions;
using Gantry.Engine.Model;
using Gantry.Providers.Git;

namespace Gantry.Providers.Deploy;

/// <summary>
/// The release as a tar.gz made on this machine (deploy.source: archive), for hosts that cannot
/// reach origin: a shallow bare clone (or fetch) of origin, then <c>git archive</c>.
/// </summary>
internal static partial class ReleaseArchive
{
    /// <summary>origin as the hosts reach it: a URL as written, a local path relative to the environment file.</summary>
    public static string Origin(EnvironmentDefinition environment)
    {
        var url = environment.Repository.Url;
        if (string.IsNullOrWhiteSpace(url))
        {
            throw new DeployException($"environment {environment.Id}: repository.url must be set to deploy with source clone");
        }

        return url.Contains("://", StringComparison.Ordinal) || ScpLike().IsMatch(url) ? url : EnvironmentReferences.Path(environment, url);
    }

    /// <summary>Makes a tar.gz of the tag (or full commit) and returns its path; the caller deletes it.</summary>
    public static async Task<string> CreateAsync(EnvironmentDefinition environment, string release, CancellationToken cancellationToken)
    {
        var origin = Origin(environment);
        var work = Path.Combine(Path.GetTempPath(), "gantry-archive-" + Guid.NewGuid().ToString("N")[..12]);
        var file = work + ".tar.gz";
        try
        {
            if (FullCommit().IsMatch(release))
            {
                // A commit cannot be cloned by name: fetch it by SHA into an empty repository.
                await GitAsync(cancellationToken, "init", "--quiet", "--bare", work).ConfigureAwait(false);
                await GitAsync(cancellationToken, "--git-dir", work, "fetch", "--quiet", "--depth", "1", origin, release).ConfigureAwait(false);
            }
            else
            {
                await GitAsync(cancellationToken, "clone", "--quiet", "--bare", "--depth", "1", "--branch", release, origin, work)
                    .ConfigureAwait(false);
            }

            await GitAsync(cancellationToken, "--git-dir", work, "archive", "--format=tar.gz", "-o", file, release).ConfigureAwait(false);
            return file;
        }
        catch
        {
            TryDelete(file);
            throw;
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    public static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static async Task GitAsync(CancellationToken cancellationToken, params string[] args)
    {
        GitResult result;
        try
        {
            result = await new GitCommandRunner().TryRunAsync(Path.GetTempPath(), args, cancellationToken).ConfigureAwait(false);
        }
        catch (GitException ex)
        {
            throw new DeployException($"making the release archive failed: {ex.Message}");
        }

        if (result.ExitCode != 0)
        {
            throw new DeployException(
                $"making the release archive failed: git {string.Join(' ', args)} exited with {result.ExitCode}: {result.StandardError.Trim()}");
        }
    }

    [GeneratedRegex("^[0-9a-f]{40}$")]
    private static partial Regex FullCommit();

    [GeneratedRegex("^[^/:]+@[^/:]+:")]
    private static partial Regex ScpLike();
}
