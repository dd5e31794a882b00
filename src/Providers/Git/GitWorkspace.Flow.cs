using System.Text.RegularExpressions;
using Semver;

namespace Gantry.Providers.Git;

public sealed partial class GitWorkspace
{
    /// <summary>
    /// <c>git flow hotfix|release start</c>: creates <c>hotfix/&lt;version&gt;</c> from origin's
    /// production branch (a release from develop), pushes it and checks it out. Rerun-safe: when
    /// the branch is already on origin and descends from its base, it is just checked out.
    /// Refused before anything is pushed (<see cref="FlowStartChecks"/>): a version already tagged or
    /// not above the newest stable tag, another hotfix open on origin, a branch of that name on
    /// origin that did not start from the base.
    /// </summary>
    public async Task<FlowBranch> FlowStartAsync(GitFlowKind kind, string version, CancellationToken cancellationToken)
    {
        var normalized = NormalizeVersion(version);
        var branch = Flow.BranchName(kind, normalized);
        var baseBranch = Flow.BaseBranch(kind);
        await EnsureCloneAsync(cancellationToken).ConfigureAwait(false);

        var remoteBase = await RemoteBranchAsync(baseBranch, cancellationToken).ConfigureAwait(false)
            ?? throw new GitException(
                $"Branch '{baseBranch}' does not exist on origin; a {Describe(kind)} starts from it. Check the branch names configured for this "
                + "environment.");
        var tags = await ListRefsAsync("refs/tags/", cancellationToken).ConfigureAwait(false);
        var remoteBranches = await ListRefsAsync($"refs/remotes/{Origin}/", cancellationToken).ConfigureAwait(false);
        FlowStartChecks.Refuse(Flow, kind, normalized, tags, remoteBranches);

        if (await RemoteBranchAsync(branch, cancellationToken).ConfigureAwait(false) is { } existing)
        {
            if (!await IsAncestorAsync(remoteBase, existing, cancellationToken).ConfigureAwait(false))
            {
                throw new GitException(
                    $"Branch '{branch}' already exists on origin but does not descend from '{baseBranch}' ({Short(remoteBase)}): someone else "
                    + "started it. "
                    + $"Delete it on origin or start a {Describe(kind)} with another version.");
            }

            await CheckoutAsync(branch, cancellationToken).ConfigureAwait(false);
            return new FlowBranch(branch, await ResolveAsync("HEAD", cancellationToken).ConfigureAwait(false) ?? existing, Created: false);
        }

        // From origin's tip, not the local branch: the local one may carry unpushed merges of another finish.
        await Git(["checkout", "--quiet", "-B", branch, $"refs/remotes/{Origin}/{baseBranch}"], cancellationToken).ConfigureAwait(false);
        await PushAsync([$"refs/heads/{branch}:refs/heads/{branch}"], cancellationToken).ConfigureAwait(false);
        await Git(["branch", "--quiet", $"--set-upstream-to={Origin}/{branch}", branch], cancellationToken).ConfigureAwait(false);
        return new FlowBranch(branch, remoteBase, Created: true);
    }

    /// <summary>
    /// Stages <paramref name="paths"/> (relative to the repository root; all changes when empty),
    /// commits them on <paramref name="branch"/> when anything changed, and pushes the branch when
    /// origin lacks its tip. Does not reset the working tree, so edits made since
    /// <see cref="FlowStartAsync"/> are kept. A push refused because origin moved throws
    /// <see cref="GitPushRejectedException"/>.
    /// </summary>
    public async Task<CommitResult> CommitAndPushAsync(
        string branch,
        string message,
        IReadOnlyList<string> paths,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(branch);
        ArgumentException.ThrowIfNullOrWhiteSpace(message);
        ArgumentNullException.ThrowIfNull(paths);
        if (!Directory.Exists(Path.Combine(WorkingDirectory, ".git")))
        {
            throw new GitException($"There is no clone in {WorkingDirectory} to commit in; run the checkout (EnsureClone) step first.");
        }

        var current = (await TryGit(["symbolic-ref", "--quiet", "--short", "HEAD"], cancellationToken).ConfigureAwait(false)).StandardOutput.Trim();
        if (current != branch)
        {
            await CheckoutAsync(branch, cancellationToken).ConfigureAwait(false); // carries the working-tree edits along
        }

        await Git(paths.Count == 0 ? ["add", "--all"] : ["add", "--all", "--", .. paths], cancellationToken).ConfigureAwait(false);
        var staged = await TryGit(["diff", "--cached", "--quiet"], cancellationToken).ConfigureAwait(false);
        var committed = staged.ExitCode == 1;
        if (committed)
        {
            await Git(["commit", "--quiet", "-m", message], cancellationToken).ConfigureAwait(false);
        }
        else if (staged.ExitCode != 0)
        {
            throw _git.CommandFailed(["diff", "--cached", "--quiet"], staged);
        }

        var tip = (await ResolveAsync("HEAD", cancellationToken).ConfigureAwait(false))!;
        var pushed = false;
        if (await RemoteBranchAsync(branch, cancellationToken).ConfigureAwait(false) != tip)
        {
            await PushAsync([$"refs/heads/{branch}:refs/heads/{branch}"], cancellationToken).ConfigureAwait(false);
            pushed = true;
        }

        return new CommitResult(tip, committed, pushed);
    }

    /// <summary>
    /// <c>git flow hotfix|release finish</c> without the <c>git flow</c> command: merges the branch
    /// into production (<c>--no-ff</c>), tags production <c>&lt;prefix&gt;&lt;version&gt;</c>
    /// (annotated), merges the tag into develop (<c>--no-ff</c>), pushes develop, production and the
    /// tag atomically, then deletes the branch (locally, and on origin unless
    /// <see cref="GitFlowOptions.DeleteRemoteBranch"/> is off) as git-flow AVH does.
    /// Rerun-safe: merges and tag already done (locally after an interrupted push, or on origin)
    /// are not repeated. A conflict aborts the merge, leaves the clone clean and throws
    /// <see cref="GitMergeConflictException"/> listing the paths.
    /// </summary>
    public async Task<FlowFinishResult> FlowFinishAsync(GitFlowKind kind, string version, CancellationToken cancellationToken)
    {
        var normalized = NormalizeVersion(version);
        var branch = Flow.BranchName(kind, normalized);
        var production = Flow.ProductionBranch;
        var develop = Flow.DevelopBranch;
        var tag = Flow.TagPrefix + normalized;
        var tagRef = $"refs/tags/{tag}";
        await EnsureCloneAsync(cancellationToken).ConfigureAwait(false);
        await CheckoutAsync(develop, cancellationToken).ConfigureAwait(false);
        await CheckoutAsync(production, cancellationToken).ConfigureAwait(false);

        var tagOnOrigin = await TagOnOriginAsync(tag, cancellationToken).ConfigureAwait(false);
        var localTag = await ResolveAsync(tagRef, cancellationToken).ConfigureAwait(false);
        if (!tagOnOrigin && localTag is not null && !await IsAncestorAsync(localTag, production, cancellationToken).ConfigureAwait(false))
        {
            // Left by an interrupted finish whose merge origin has since overtaken: made again below.
            await Git(["tag", "--delete", tag], cancellationToken).ConfigureAwait(false);
            localTag = null;
        }

        var branchTip = await LocalBranchAsync(branch, cancellationToken).ConfigureAwait(false)
            ?? await RemoteBranchAsync(branch, cancellationToken).ConfigureAwait(false);
        if (branchTip is null && localTag is null)
        {
            throw new GitException(
                $"Cannot finish {Describe(kind)} {normalized}: neither branch '{branch}' nor tag '{tag}' exists on origin. Start it first.");
        }

        if (branchTip is not null)
        {
            if (localTag is not null && !await IsAncestorAsync(branchTip, localTag, cancellationToken).ConfigureAwait(false))
            {
                throw new GitException(
                    $"Tag '{tag}' already exists at {Short(localTag)} but does not contain branch '{branch}' ({Short(branchTip)}): "
                    + $"the branch has commits that were not released. Release them under a new version.");
            }

            if (await CheckoutTrackedAsync(branch, cancellationToken).ConfigureAwait(false) is { } checkedOut)
            {
                branchTip = checkedOut;
            }

            var productionTip = (await LocalBranchAsync(production, cancellationToken).ConfigureAwait(false))!;
            if (branchTip == productionTip && localTag is null)
            {
                throw new GitException($"Branch '{branch}' has no commits of its own; commit the {Describe(kind)} on it before finishing.");
            }

            if (!await IsAncestorAsync(branchTip, production, cancellationToken).ConfigureAwait(false))
            {
                await MergeNoFastForwardAsync(branch, production, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (!await IsAncestorAsync(localTag!, production, cancellationToken).ConfigureAwait(false))
        {
            throw new GitException($"Tag '{tag}' exists but is not on '{production}', and branch '{branch}' is gone: finish it by hand.");
        }

        if (localTag is null)
        {
            await Git(["tag", "--annotate", "-m", Flow.TagMessage(kind, normalized), tag, $"refs/heads/{production}"], cancellationToken)
                .ConfigureAwait(false);
        }

        if (!await IsAncestorAsync(tagRef, develop, cancellationToken).ConfigureAwait(false))
        {
            await MergeNoFastForwardAsync(tag, develop, cancellationToken).ConfigureAwait(false);
        }

        var pushed = await PushIfBehindAsync(develop, production, tag, cancellationToken).ConfigureAwait(false);

        if (Flow.DeleteRemoteBranch && await RemoteBranchAsync(branch, cancellationToken).ConfigureAwait(false) is not null)
        {
            var delete = await TryGit(["push", "--quiet", Origin, "--delete", $"refs/heads/{branch}"], cancellationToken).ConfigureAwait(false);
            if (delete.ExitCode != 0 && !delete.StandardError.Contains("remote ref does not exist", StringComparison.Ordinal))
            {
                throw _git.CommandFailed(
                    ["push", "--quiet", Origin, "--delete", $"refs/heads/{branch}"],
                    delete,
                    "The release itself is complete; delete the branch on origin by hand or rerun the step.");
            }
        }

        await CheckoutAsync(kind == GitFlowKind.Hotfix ? develop : production, cancellationToken).ConfigureAwait(false);
        if (await LocalBranchAsync(branch, cancellationToken).ConfigureAwait(false) is not null)
        {
            await Git(["branch", "--quiet", "-D", branch], cancellationToken).ConfigureAwait(false);
        }

        return new FlowFinishResult(
            tag,
            (await ResolveAsync(tagRef, cancellationToken).ConfigureAwait(false))!,
            (await LocalBranchAsync(production, cancellationToken).ConfigureAwait(false))!,
            (await LocalBranchAsync(develop, cancellationToken).ConfigureAwait(false))!,
            pushed);
    }

    private async Task<string?> CheckoutTrackedAsync(string branch, CancellationToken cancellationToken)
    {
        // Merging the local branch (not origin/...) keeps git flow's merge message "Merge branch 'hotfix/x' into production".
        if (await LocalBranchAsync(branch, cancellationToken).ConfigureAwait(false) is null)
        {
            await Git(["branch", "--quiet", "--track", branch, $"refs/remotes/{Origin}/{branch}"], cancellationToken).ConfigureAwait(false);
        }

        return await LocalBranchAsync(branch, cancellationToken).ConfigureAwait(false);
    }

    private async Task<bool> TagOnOriginAsync(string tag, CancellationToken cancellationToken)
    {
        var result = await Git(["ls-remote", "--tags", Origin, $"refs/tags/{tag}"], cancellationToken).ConfigureAwait(false);
        return result.StandardOutput.Trim().Length > 0;
    }

    private async Task MergeNoFastForwardAsync(string source, string target, CancellationToken cancellationToken)
    {
        await Git(["checkout", "--quiet", target], cancellationToken).ConfigureAwait(false);
        string[] merge = ["merge", "--no-ff", "--no-edit", source];
        var result = await TryGit(merge, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return;
        }

        var conflicts = (await Git(["diff", "--name-only", "--diff-filter=U", "-z"], cancellationToken).ConfigureAwait(false)).StandardOutput
            .Split('\0', StringSplitOptions.RemoveEmptyEntries);
        await TryGit(["merge", "--abort"], cancellationToken).ConfigureAwait(false);
        await Git(["reset", "--hard", "--quiet"], cancellationToken).ConfigureAwait(false);
        await Git(["clean", "-ffdxq"], cancellationToken).ConfigureAwait(false);
        if (conflicts.Length == 0)
        {
            throw _git.CommandFailed(merge, result, "The merge was aborted and the clone left clean.");
        }

        throw new GitMergeConflictException(
            $"Merging '{source}' into '{target}' conflicts in: {string.Join(", ", conflicts)}. "
                + $"The merge was aborted and the clone left clean. Resolve it on origin so that '{source}' merges cleanly into '{target}', then "
                + "rerun the step.",
            source,
            target,
            conflicts);
    }

    private async Task<bool> PushIfBehindAsync(string develop, string production, string tag, CancellationToken cancellationToken)
    {
        var upToDate =
            await RemoteBranchAsync(develop, cancellationToken).ConfigureAwait(false)
                == await LocalBranchAsync(develop, cancellationToken).ConfigureAwait(false)
            && await RemoteBranchAsync(production, cancellationToken).ConfigureAwait(false)
                == await LocalBranchAsync(production, cancellationToken).ConfigureAwait(false)
            && await TagOnOriginAsync(tag, cancellationToken).ConfigureAwait(false);
        if (upToDate)
        {
            return false;
        }

        // Atomic: origin gets all three refs or none, so a rerun never meets a half-pushed finish.
        await PushAsync(
            [$"refs/heads/{develop}:refs/heads/{develop}", $"refs/heads/{production}:refs/heads/{production}", $"refs/tags/{tag}:refs/tags/{tag}"],
            cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task PushAsync(IReadOnlyList<string> refspecs, CancellationToken cancellationToken)
    {
        string[] push = ["push", "--porcelain", "--atomic", Origin, .. refspecs];
        var result = await TryGit(push, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 0)
        {
            return;
        }

        // Porcelain lines: "!\trefs/heads/x:refs/heads/x\t[rejected] (fetch first)".
        var moved = MovedRef().Match(result.StandardOutput + "\n" + result.StandardError);
        if (moved.Success)
        {
            var branch = moved.Groups["branch"].Value;
            var failure = _git.CommandFailed(push, result);
            throw new GitPushRejectedException(
                $"Push rejected: origin/{branch} has moved since the clone was fetched. Fetch and rebase onto origin/{branch}, or rerun the step so "
                + "it starts from a fresh fetch."
                + Environment.NewLine + failure.Message,
                branch,
                failure.CommandLine,
                failure.ExitCode,
                failure.StandardErrorTail);
        }

        throw _git.CommandFailed(push, result with { StandardError = result.StandardError + "\n" + result.StandardOutput });
    }

    private static string NormalizeVersion(string version)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(version);
        var text = version.Trim();
        if (text.StartsWith('v') && SemVersion.TryParse(text[1..], SemVersionStyles.Strict, out _))
        {
            text = text[1..];
        }

        return SemVersion.TryParse(text, SemVersionStyles.Strict, out var parsed)
            ? parsed.ToString()
            : throw new GitException($"Version '{version}' is not a semantic version like '3.0.1'.");
    }

    private static string Describe(GitFlowKind kind) => kind == GitFlowKind.Hotfix ? "hotfix" : "release";

    [GeneratedRegex(@"refs/heads/(?<branch>[^\s:]+)\s+\[rejected\]\s+\((?:fetch first|non-fast-forward)\)")]
    private static partial Regex MovedRef();
}
