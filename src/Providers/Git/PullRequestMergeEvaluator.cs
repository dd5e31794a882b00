using System.Text.Json;

namespace Gantry.Providers.Git;

/// <summary>A pull request that was merged.</summary>
/// <param name="Number">Pull-request number.</param>
/// <param name="HeadRef">The branch that was merged (<c>fix-the-bug</c>).</param>
/// <param name="MergeCommitSha">The commit the merge produced on the base branch.</param>
/// <param name="MergedBy">Login of whoever merged it, when GitHub reports it.</param>
/// <param name="HeadSha">The pull request's head commit (<c>pull_request.head.sha</c>): the commit its checks ran on; empty when absent.</param>
public sealed record PullRequestMerge(long Number, string HeadRef, string MergeCommitSha, string? MergedBy, string HeadSha = "");

/// <summary>
/// Reads a GitHub <c>pull_request</c> webhook payload and tells whether it reports a pull request
/// merged into a given base branch (<c>action</c> = <c>closed</c>, <c>pull_request.merged</c> = true,
/// <c>pull_request.base.ref</c> = the branch). <c>mergeable_state</c> is not read: GitHub sends
/// <c>unknown</c> once a pull request is merged. Pure: never throws on an unexpected payload shape.
/// </summary>
public static class PullRequestMergeEvaluator
{
    /// <summary>The merge the payload reports, or <see langword="null"/> when it reports anything else.</summary>
    public static PullRequestMerge? Evaluate(JsonElement payload, string baseBranch)
    {
        ArgumentNullException.ThrowIfNull(baseBranch);
        if (payload.ValueKind != JsonValueKind.Object
            || GitHubPayload.Text(payload, "action") != "closed"
            || !payload.TryGetProperty("pull_request", out var pr)
            || pr.ValueKind != JsonValueKind.Object
            || !pr.TryGetProperty("merged", out var merged)
            || merged.ValueKind != JsonValueKind.True)
        {
            return null;
        }

        var baseRef = GetNested(pr, "base", "ref");
        if (baseRef is null || !string.Equals(StripHeads(baseRef), StripHeads(baseBranch), StringComparison.Ordinal))
        {
            return null;
        }

        var headRef = GetNested(pr, "head", "ref");
        var mergeSha = GitHubPayload.Text(pr, "merge_commit_sha");
        if (headRef is null || string.IsNullOrEmpty(mergeSha))
        {
            return null;
        }

        var number = pr.TryGetProperty("number", out var n) && n.TryGetInt64(out var value) ? value
            : payload.TryGetProperty("number", out var top) && top.TryGetInt64(out var topValue) ? topValue
            : 0;
        return new PullRequestMerge(number, headRef, mergeSha, GetNested(pr, "merged_by", "login"), GetNested(pr, "head", "sha") ?? "");
    }

    private static string StripHeads(string reference) =>
        reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..] : reference;

    private static string? GetNested(JsonElement element, string objectName, string property) =>
        GitHubPayload.Object(element, objectName) is { } inner ? GitHubPayload.Text(inner, property) : null;
}
