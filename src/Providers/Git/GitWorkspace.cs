using Microsoft.Extensions.Logging;
using Semver;

namespace Gantry.Providers.Git;

/// <summary>A tag resolved on origin.</summary>
/// <param name="Tag">Tag name (<c>v3.0.1</c>).</param>
/// <param name="Version">Version it names.</param>
/// <param name="Commit">Full SHA of the commit it points to (annotated tags peeled).</param>
public sealed record LatestTag(string Tag, SemVersion Version, string Commit);

/// <summary>The flow branch after <see cref="GitWorkspace.FlowStartAsync"/>.</summary>
/// <param name="Branch">Branch name (<c>hotfix/3.0.1</c>).</param>
/// <param name="Commit">Its tip.</param>
/// <param name="Created">False when it already existed on origin (a rerun).</param>
public sealed record FlowBranch(string Branch, string Commit, bool Created);

/// <summary>The outcome of <see cref="GitWorkspace.CommitAndPushAsync"/>.</summary>
/// <param name="Commit">The branch tip after the call.</param>
/// <param name="Committed">False when there was nothing to commit (a rerun).</param>
/// <param name="Pushed">False when origin already had the tip.</param>
public sealed record CommitResult(string Commit, bool Committed, bool Pushed);

/// <summary>The outcome of <see cref="GitWorkspace.FlowFinishAsync"/>.</summary>
/// <param name="Tag">The version tag (<c>v3.0.1</c>).</param>
/// <param name="TagCommit">The commit the tag points to: production's merge commit.</param>
/// <param name="ProductionCommit">Production's tip on origin.</param>
/// <param name="DevelopCommit">Develop's tip on origin.</param>
/// <param name="Pushed">False when origin already had everything (a rerun after success).</param>
public sealed record FlowFinishResult(string Tag, string TagCommit, string ProductionCommit, string DevelopCommit, bool Pushed);

/// <summary>
/// One clone per environment, kept under Gantry's data folder, driven with the git CLI.
/// Every operation can be rerun after any failure: <see cref="EnsureCloneAsync"/> brings the
/// clone back to a clean state, keeping only local commits origin lacks (an interrupted push),
/// and the git-flow operations skip what is already done. Origin is the truth; operations on
/// one environment must not run concurrently (the engine's concurrency key sees to that).
/// Disposing it deletes the SSH key file it was given from a secret.
/// </summary>
public sealed partial class GitWorkspace : IDisposable
{
    private const string Origin = "origin";

    private readonly GitWorkspaceOptions _options;
    private readonly GitCommandRunner _git;
    private readonly ILogger? _logger;

    /// <summary>Creates a workspace; throws <see cref="ArgumentException"/> listing every invalid option.</summary>
    public GitWorkspace(GitWorkspaceOptions options, ILogger<GitWorkspace>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException(
                "Invalid git workspace options:" + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "- " + e)),
                nameof(options));
        }

        _options = options;
        _logger = logger;
        var environment = new Dictionary<string, string>
        {
            ["GIT_AUTHOR_NAME"] = options.CommitterName,
            ["GIT_AUTHOR_EMAIL"] = options.CommitterEmail,
            ["GIT_COMMITTER_NAME"] = options.CommitterName,
            ["GIT_COMMITTER_EMAIL"] = options.CommitterEmail,
        };
        foreach (var (name, value) in options.GitEnvironment)
        {
            environment[name] = value;
        }

        _git = new GitCommandRunner(
            new GitRunnerOptions
            {
                SshKeyPath = options.SshKeyPath,
                SshKnownHostsPath = options.SshKnownHostsPath,
                Environment = environment,
                Secrets = options.Secrets,
            },
            logger);
    }

    /// <summary>The clone's folder (where file-editing steps edit).</summary>
    public string WorkingDirectory => _options.CloneDirectory;

    /// <summary>Deletes the key file written for this workspace from a secret; nothing else to release.</summary>
    public void Dispose()
    {
        if (_options.OwnsSshKey && _options.SshKeyPath is { } key)
        {
            File.Delete(key);
        }
    }

    private GitFlowOptions Flow => _options.Flow;

    /// <summary>
    /// Clones origin, or fetches (<c>--prune --tags</c>) into the existing clone; then resets to a
    /// clean state (<c>reset --hard</c>, <c>clean -ffdx</c>), moves local branches to origin's
    /// tips unless they only carry unpushed commits, and checks out the production branch.
    /// </summary>
    public async Task EnsureCloneAsync(CancellationToken cancellationToken)
    {
        var directory = WorkingDirectory;
        if (!IsWholeClone(directory))
        {
            await CloneAsync(directory, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            DeleteStaleLocks(Path.Combine(directory, ".git"));
            await Git(["remote", "set-url", Origin, _options.RepositoryUrl], cancellationToken).ConfigureAwait(false);
            await Git(["fetch", "--prune", "--tags", "--force", Origin], cancellationToken).ConfigureAwait(false);
        }

        await Git(["reset", "--hard", "--quiet"], cancellationToken).ConfigureAwait(false);
        await Git(["clean", "-ffdxq"], cancellationToken).ConfigureAwait(false);
        await Git(["checkout", "--quiet", "--detach"], cancellationToken).ConfigureAwait(false);
        await SyncLocalBranchesAsync(cancellationToken).ConfigureAwait(false);
        await CheckoutAsync(Flow.ProductionBranch, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resolves <paramref name="reference"/> (<c>stable</c>, <c>latest</c> or <c>v1.2.3</c>) against
    /// the tags on origin (asked with <c>ls-remote</c>, so unpushed local tags never count).
    /// </summary>
    public async Task<LatestTag> LatestTagAsync(string reference, CancellationToken cancellationToken)
    {
        var commits = await RemoteTagsAsync(cancellationToken).ConfigureAwait(false);
        var selected = TagSelector.Select(commits.Keys, reference, Flow.TagPrefix);
        return new LatestTag(selected.Tag, selected.Version, commits[selected.Tag]);
    }

    /// <summary>The next version after the newest stable tag on origin, or <paramref name="requested"/> checked against it (<see
    /// cref="NextVersion"/>).</summary>
    public async Task<NextVersionResult> NextVersionAsync(VersionBump bump, string? requested, CancellationToken cancellationToken)
    {
        var commits = await RemoteTagsAsync(cancellationToken).ConfigureAwait(false);
        return NextVersion.Compute(commits.Keys, bump, requested, Flow.TagPrefix);
    }

    /// <summary>The tags on origin (asked with <c>ls-remote</c>) and the commit each points at, annotated tags peeled.</summary>
    private async Task<Dictionary<string, string>> RemoteTagsAsync(CancellationToken cancellationToken)
    {
        var workingDirectory = Directory.Exists(WorkingDirectory) ? WorkingDirectory : Path.GetTempPath();
        var result = await _git.RunAsync(workingDirectory, ["ls-remote", "--tags", _options.RepositoryUrl], cancellationToken).ConfigureAwait(false);
        var commits = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split('\t');
            if (parts.Length != 2 || !parts[1].StartsWith("refs/tags/", StringComparison.Ordinal))
            {
                continue;
            }

            var name = parts[1]["refs/tags/".Length..];
            if (name.EndsWith("^{}", StringComparison.Ordinal))
            {
                commits[name[..^3]] = parts[0]; // the peeled commit of an annotated tag wins
            }
            else
            {
                commits.TryAdd(name, parts[0]);
            }
        }

        return commits;
    }

    private Task<GitResult> Git(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _git.RunAsync(WorkingDirectory, arguments, cancellationToken);

    private Task<GitResult> TryGit(IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        _git.TryRunAsync(WorkingDirectory, arguments, cancellationToken);

    private async Task SyncLocalBranchesAsync(CancellationToken cancellationToken)
    {
        var local = await ListRefsAsync("refs/heads/", cancellationToken).ConfigureAwait(false);
        var remote = (await ListRefsAsync($"refs/remotes/{Origin}/", cancellationToken).ConfigureAwait(false)).ToHashSet(StringComparer.Ordinal);
        foreach (var branch in local.Where(remote.Contains))
        {
            // Ahead of origin (or equal): unpushed work of an interrupted step, kept so the rerun pushes it.
            // Behind or diverged: origin wins.
            if (!await IsAncestorAsync($"refs/remotes/{Origin}/{branch}", $"refs/heads/{branch}", cancellationToken).ConfigureAwait(false))
            {
                await Git(["branch", "--force", "--quiet", branch, $"refs/remotes/{Origin}/{branch}"], cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<IReadOnlyList<string>> ListRefsAsync(string prefix, CancellationToken cancellationToken)
    {
        var result = await Git(["for-each-ref", "--format=%(refname)", prefix], cancellationToken).ConfigureAwait(false);
        return result.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => r[prefix.Length..])
            .Where(r => r != "HEAD")
            .ToList();
    }

    private async Task<bool> IsAncestorAsync(string ancestor, string descendant, CancellationToken cancellationToken)
    {
        var result = await TryGit(["merge-base", "--is-ancestor", ancestor, descendant], cancellationToken).ConfigureAwait(false);
        return result.ExitCode switch
        {
            0 => true,
            1 => false,
            _ => throw _git.CommandFailed(["merge-base", "--is-ancestor", ancestor, descendant], result),
        };
    }

    private async Task<string?> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        var result = await TryGit(["rev-parse", "--quiet", "--verify", reference + "^{commit}"], cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
    }

    private Task<string?> LocalBranchAsync(string branch, CancellationToken cancellationToken) =>
        ResolveAsync($"refs/heads/{branch}", cancellationToken);

    private Task<string?> RemoteBranchAsync(string branch, CancellationToken cancellationToken) =>
        ResolveAsync($"refs/remotes/{Origin}/{branch}", cancellationToken);

    /// <summary>Checks out <paramref name="branch"/>, creating it from origin's branch when only that exists.</summary>
    private async Task CheckoutAsync(string branch, CancellationToken cancellationToken)
    {
        if (await LocalBranchAsync(branch, cancellationToken).ConfigureAwait(false) is null)
        {
            if (await RemoteBranchAsync(branch, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new GitException(
                    $"Branch '{branch}' does not exist on origin ({_git.Masker.Mask(_options.RepositoryUrl)}). Check the branch names configured "
                    + "for this environment.");
            }

            await Git(["branch", "--quiet", "--track", branch, $"refs/remotes/{Origin}/{branch}"], cancellationToken).ConfigureAwait(false);
        }

        await Git(["checkout", "--quiet", branch], cancellationToken).ConfigureAwait(false);
    }

    private static void DeleteDirectory(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            File.SetAttributes(file, FileAttributes.Normal); // git's object files are read-only
        }

        Directory.Delete(directory, recursive: true);
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;
}
