using System.Text.Json;
using Gantry.Engine.Model;

namespace Gantry.Providers.Git;

/// <summary>What git.wait-merged waits for.</summary>
/// <param name="Branch">The base branch the pull request must be merged into.</param>
/// <param name="RequireChecks">Whether a check on the pull request's head commit must also have passed.</param>
/// <param name="Checks">Names that must each pass (check suite app name or slug, status context); empty means any one.</param>
/// <param name="Repository">The environment's repository, to ignore events about other repositories; null accepts every repository.</param>
public sealed record MergeGateOptions(string Branch, bool RequireChecks, IReadOnlyList<string> Checks, RepositorySettings? Repository)
{
    /// <summary>How many reviewers must have approved the pull request's head commit (at least as many as <see cref="Reviewers"/>).</summary>
    public int Approvals { get; init; }

    /// <summary>Logins whose latest review must be an approval.</summary>
    public IReadOnlyList<string> Reviewers { get; init; } = [];
}

/// <summary>The gate's verdict on the events seen so far.</summary>
public abstract record MergeGateDecision
{
    /// <summary>Not yet: <paramref name="Reason"/> says what is missing.</summary>
    public sealed record Waiting(string Reason) : MergeGateDecision;

    /// <summary>Merged, and when required, checked and approved: <paramref name="Checks"/> names the checks that passed, <paramref name="Approvers"/>
    /// who approved.</summary>
    public sealed record Passed(PullRequestMerge Merge, IReadOnlyList<string> Checks, IReadOnlyList<string> Approvers) : MergeGateDecision;

    /// <summary>A check on the merged pull request's head commit failed.</summary>
    public sealed record Failed(string Message) : MergeGateDecision;
}

/// <summary>
/// Decides from every event delivered to a waiting step, in any order: a <c>pull_request</c> merged
/// into the branch that origin does not contradict (the <c>refusal</c> of
/// <see cref="Decide"/>), and, when asked for, a passing <c>check_suite</c> or <c>status</c> for that
/// pull request's head commit (<c>pull_request.head.sha</c>, the commit its checks ran on) and
/// approving <c>pull_request_review</c>s (<see cref="ReviewRequirement"/>). The latest result of each
/// check counts; a failed one fails the gate. Events about another repository are ignored
/// (<see cref="GitHubRepositoryMatcher"/>).
/// </summary>
public static class MergeGate
{
    /// <param name="payloads">Every event delivered to the step, oldest first.</param>
    /// <param name="options">What the step waits for.</param>
    /// <param name="refusal">Why origin contradicts a merge (null when it does not); null trusts every merge.</param>
    public static MergeGateDecision Decide(
        IEnumerable<JsonElement> payloads,
        MergeGateOptions options,
        Func<PullRequestMerge, string?>? refusal = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ours = payloads.Where(p => options.Repository is null || GitHubRepositoryMatcher.Matches(p, options.Repository)).ToList();
        var claimed = ours.Select(p => PullRequestMergeEvaluator.Evaluate(p, options.Branch))
            .OfType<PullRequestMerge>()
            .DistinctBy(m => (m.Number, m.MergeCommitSha, m.HeadSha))
            .ToList();
        var refused = claimed.Select(m => (Merge: m, Reason: refusal?.Invoke(m))).Where(r => r.Reason is not null).ToList();
        var merges = claimed.Where(m => refused.All(r => r.Merge != m)).DistinctBy(m => m.Number).ToList();
        if (merges.Count == 0)
        {
            return new MergeGateDecision.Waiting(
                refused.Count == 0
                    ? $"no pull request merged into {options.Branch} yet"
                    : $"no pull request merged into {options.Branch} yet that origin confirms; refused: "
                        + $"{string.Join("; ", refused.Select(r => $"#{r.Merge.Number}: {r.Reason}"))}");
        }

        var results = ours.Select(CheckResultEvaluator.Evaluate).OfType<CheckResult>().ToList();
        var reviews = ours.Select(PullRequestReviewEvaluator.Evaluate).OfType<PullRequestReview>().ToList();
        var verdicts = merges.Select(m => Verdict(m, results, reviews, options)).ToList();
        return verdicts.OfType<MergeGateDecision.Failed>().FirstOrDefault()
            ?? verdicts.OfType<MergeGateDecision.Passed>().FirstOrDefault()
            ?? (MergeGateDecision)verdicts.OfType<MergeGateDecision.Waiting>().First();
    }

    private static MergeGateDecision Verdict(
        PullRequestMerge merge,
        IReadOnlyList<CheckResult> results,
        IReadOnlyList<PullRequestReview> reviews,
        MergeGateOptions options)
    {
        var pullRequest = $"pull request #{merge.Number} ({merge.HeadRef}) merged into {options.Branch}";
        var needsReviews = options.Approvals > 0 || options.Reviewers.Count > 0;
        if (merge.HeadSha.Length == 0 && (options.RequireChecks || needsReviews))
        {
            return new MergeGateDecision.Waiting(
                $"{pullRequest} names no head commit (pull_request.head.sha), so no check or review can be matched to it");
        }

        IReadOnlyList<string> passedChecks = [];
        var missing = new List<string>();
        if (options.RequireChecks)
        {
            var latest = results
                .Where(r => string.Equals(r.Sha, merge.HeadSha, StringComparison.OrdinalIgnoreCase))
                .Where(r => options.Checks.Count == 0 || options.Checks.Any(r.IsNamed))
                .GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
                .Select(g => g.Last())
                .ToList();
            if (latest.FirstOrDefault(r => r.Outcome == CheckOutcome.Failed) is { } failed)
            {
                return new MergeGateDecision.Failed(
                    $"check '{failed.Name}' failed ({failed.Result}) on commit {merge.HeadSha}, the head of {pullRequest}; the merged code did not "
                    + "pass its required checks");
            }

            var passed = latest.Where(r => r.Outcome == CheckOutcome.Passed).ToList();
            var missingChecks = options.Checks.Where(c => !passed.Any(r => r.IsNamed(c))).ToList();
            if (options.Checks.Count == 0 ? passed.Count == 0 : missingChecks.Count > 0)
            {
                missing.Add(
                    options.Checks.Count == 0
                        ? "a successful check suite or status"
                        : $"successful {string.Join(", ", missingChecks.Select(c => $"'{c}'"))}");
            }

            passedChecks = passed.Select(r => r.Name).ToList();
        }

        IReadOnlyList<string> approvers = [];
        if (needsReviews)
        {
            (approvers, var missingReviews) = ReviewRequirement.Check(merge, reviews, options);
            if (missingReviews is not null)
            {
                missing.Add(missingReviews);
            }
        }

        return missing.Count == 0
            ? new MergeGateDecision.Passed(merge, passedChecks, approvers)
            : new MergeGateDecision.Waiting($"{pullRequest}; waiting for {string.Join("; and for ", missing)} on its head commit {merge.HeadSha}");
    }
}
