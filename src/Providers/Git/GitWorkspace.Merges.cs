namespace Gantry.Providers.Git;

/// <summary>Checking a merge that a pull_request event claims against origin itself.</summary>
public sealed partial class GitWorkspace
{
    /// <summary>How far back on the branch a squash or rebase merge's tree is looked for.</summary>
    private const int TreeSearchDepth = 200;

    /// <summary>
    /// Why origin contradicts the claim "<paramref name="headCommit"/> was merged into
    /// <paramref name="branch"/> as <paramref name="mergeCommit"/>", or null when origin confirms it.
    /// Fetches origin first (a commit it still lacks is looked for in GitHub's <c>refs/pull/*/head</c>,
    /// which keep a pull request's head after its branch is deleted, then asked for by SHA). Confirmed when the merge commit, or for squash and
    /// rebase merges a
    /// commit with the same tree, is on the branch, and the head's changes are in the branch: the head
    /// is an ancestor of it, or merging the head into it changes nothing.
    /// </summary>
    public async Task<string?> ContradictsMergeAsync(string branch, string mergeCommit, string headCommit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mergeCommit);
        ArgumentNullException.ThrowIfNull(headCommit);

        if (Directory.Exists(Path.Combine(WorkingDirectory, ".git")))
        {
            // Only refs move: the clone's working tree is left to the steps that edit it.
            await Git(["fetch", "--quiet", "--prune", "--tags", "--force", Origin], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await EnsureCloneAsync(cancellationToken).ConfigureAwait(false);
        }

        var tip = await RemoteBranchAsync(branch, cancellationToken).ConfigureAwait(false);
        if (tip is null)
        {
            return $"branch '{branch}' does not exist on origin";
        }

        if (await CommitOnOriginAsync(mergeCommit, cancellationToken).ConfigureAwait(false) is null)
        {
            return $"merge commit {mergeCommit} does not exist on origin";
        }

        if (await CommitOnOriginAsync(headCommit, cancellationToken).ConfigureAwait(false) is null)
        {
            return $"head commit {headCommit} does not exist on origin";
        }

        if (!await IsAncestorAsync(mergeCommit, tip, cancellationToken).ConfigureAwait(false)
            && !await BranchHasTreeOfAsync(headCommit, tip, mergeCommit, cancellationToken).ConfigureAwait(false))
        {
            return $"merge commit {mergeCommit} is not on origin's {branch} (at {tip}), nor is a commit with its tree";
        }

        if (await IsAncestorAsync(headCommit, tip, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        // Squash and rebase merges: the head is not an ancestor, but its changes are in when merging it changes nothing.
        var merged = await TryGit(["merge-tree", "--write-tree", tip, headCommit], cancellationToken).ConfigureAwait(false);
        var tree = await ResolveObjectAsync(tip + "^{tree}", cancellationToken).ConfigureAwait(false);
        return merged.ExitCode == 0 && merged.StandardOutput.Split('\n')[0].Trim() == tree
            ? null
            : $"the changes of head commit {headCommit} are not in origin's {branch} (at {tip})";
    }

    /// <summary>The commit, fetched by SHA when the fetched refs do not hold it; null when origin has no such commit.</summary>
    private async Task<string?> CommitOnOriginAsync(string sha, CancellationToken cancellationToken)
    {
        if (sha.Length != 40 || !sha.All(Uri.IsHexDigit))
        {
            return null;
        }

        if (await ResolveAsync(sha, cancellationToken).ConfigureAwait(false) is { } found)
        {
            return found;
        }

        // Best effort, each: GitHub keeps a pull request's head in refs/pull/N/head after its branch is
        // deleted, and most servers serve a reachable commit by SHA; plain origins may do neither.
        await TryGit(["fetch", "--quiet", Origin, $"+refs/pull/*/head:refs/remotes/{Origin}/pull/*"], cancellationToken).ConfigureAwait(false);
        if (await ResolveAsync(sha, cancellationToken).ConfigureAwait(false) is { } pulled)
        {
            return pulled;
        }

        await TryGit(["fetch", "--quiet", Origin, sha], cancellationToken).ConfigureAwait(false);
        return await ResolveAsync(sha, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether a commit the branch gained since the head forked from it (a squash or rebase of the
    /// head lands there; older history does not count) has the tree of <paramref name="commit"/>.
    /// </summary>
    private async Task<bool> BranchHasTreeOfAsync(string head, string tip, string commit, CancellationToken cancellationToken)
    {
        var tree = await ResolveObjectAsync(commit + "^{tree}", cancellationToken).ConfigureAwait(false);
        var log = await Git(["log", "--first-parent", $"--max-count={TreeSearchDepth}", "--format=%T", $"{head}..{tip}"], cancellationToken)
            .ConfigureAwait(false);
        return tree is not null && log.StandardOutput.Split('\n', StringSplitOptions.TrimEntries).Contains(tree, StringComparer.Ordinal);
    }

    private async Task<string?> ResolveObjectAsync(string reference, CancellationToken cancellationToken)
    {
        var result = await TryGit(["rev-parse", "--quiet", "--verify", reference], cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result.StandardOutput.Trim() : null;
    }
}
