namespace Gantry.Providers.Git;

/// <summary>
/// Whether a merged pull request has the approvals git.wait-merged asks for: each named reviewer's
/// latest review is an approval, and at least <c>approvals</c> reviewers approved in all. A
/// reviewer's latest approving or change-requesting review counts (a comment changes nothing, as on
/// GitHub); a later <c>changes_requested</c> or a dismissal withdraws an approval. Only reviews of
/// that pull request into the branch count, and an approval must be of its head commit when the
/// review names one: a +1 on an earlier commit does not approve what was merged.
/// </summary>
internal static class ReviewRequirement
{
    /// <summary>Who approved, and what is still missing (null when nothing is).</summary>
    public static (IReadOnlyList<string> Approvers, string? Missing) Check(
        PullRequestMerge merge,
        IEnumerable<PullRequestReview> reviews,
        MergeGateOptions options)
    {
        var latest = new Dictionary<string, PullRequestReview>(StringComparer.OrdinalIgnoreCase);
        foreach (
            var review in reviews.Where(r => r.Number == merge.Number && SameBranch(r.BaseRef, options.Branch) && r.State != ReviewState.Commented))
        {
            latest[review.Reviewer] = review;
        }

        var approvers = latest
            .Values.Where(r =>
                r.State == ReviewState.Approved
                && (
                    r.CommitId.Length == 0
                    || merge.HeadSha.Length == 0
                    || string.Equals(r.CommitId, merge.HeadSha, StringComparison.OrdinalIgnoreCase)))
            .Select(r => r.Reviewer)
            .Order(StringComparer.OrdinalIgnoreCase)
            .ToList();
        var missing = options.Reviewers.Where(r => !approvers.Contains(r.Trim(), StringComparer.OrdinalIgnoreCase)).ToList();
        var needed = Math.Max(options.Approvals, options.Reviewers.Count);
        if (missing.Count == 0 && approvers.Count >= needed)
        {
            return (approvers, null);
        }

        var withdrawn = missing.Where(latest.ContainsKey).Select(r => $"{r} ({Word(latest[r], merge)})").ToList();
        var parts = new List<string>();
        if (missing.Count > 0)
        {
            parts.Add(
                $"an approving review by {string.Join(" and ", missing)}" + (withdrawn.Count > 0 ? $"; latest: {string.Join(", ", withdrawn)}" : ""));
        }

        if (approvers.Count < needed && options.Approvals > options.Reviewers.Count)
        {
            parts.Add($"{needed} approvals ({approvers.Count} so far{(approvers.Count > 0 ? ": " + string.Join(", ", approvers) : "")})");
        }

        return (approvers, string.Join("; ", parts));
    }

    private static string Word(PullRequestReview review, PullRequestMerge merge) => review.State switch
    {
        ReviewState.ChangesRequested => "changes requested",
        ReviewState.Dismissed => "review dismissed",
        _ => $"approved commit {review.CommitId}, not the head {merge.HeadSha}",
    };

    private static bool SameBranch(string a, string b) => string.Equals(Strip(a), Strip(b), StringComparison.Ordinal);

    private static string Strip(string reference) =>
        reference.StartsWith("refs/heads/", StringComparison.Ordinal) ? reference["refs/heads/".Length..] : reference;
}
