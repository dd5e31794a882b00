using System.Text.Json;
using Gantry.Engine.Model;

namespace Gantry.Providers.Git;

/// <summary>What git.wait-merged waits for.</summary>
/// <param name="Branch">The base branch the pull request must be merged into.</param>
/// <param name="RequireChecks">Whether a check on the pull request's head commit must also have passed.</param>
/// <param name="Checks">Names that must each pass (check suite app name or slug, status context); empty means any one.</param>
/// <param name="Repository">The environment's repository, to ignore events about other repositories; null accepts every repository.</param>
public sealed record MergeGateOptions(string Branch, bool RequireChecks, IReadOnlyList<string> Checks, RepositorySettings? Repository);

/// <summary>The gate's verdict on the events seen so far.</summary>
public abstract record MergeGateDecision
{
    /// <summary>Not yet: <paramref name="Reason"/> says what is missing.</summary>
    public sealed record Waiting(string Reason) : MergeGateDecision;

    /// <summary>Merged, and when required, checked: <paramref name="Checks"/> names the checks that passed.</summary>
    public sealed record Passed(PullRequestMerge Merge, IReadOnlyList<string> Checks) : MergeGateDecision;

    /// <summary>A check on the merged pull request's head commit failed.</summary>
    public sealed record Failed(string Message) : MergeGateDecision;
}

/// <summary>
/// Decides from every event delivered to a waiting step, in any order: a <c>pull_request</c> merged
/// into the branch and, when checks are required, a passing <c>check_suite</c> or <c>status</c> for
/// that pull request's head commit (<c>pull_request.head.sha</c>, the commit its checks ran on).
/// The latest result of each check counts; a failed one fails the gate. Events about another
/// repository are ignored (<see cref="GitHubRepositoryMatcher"/>).
/// </summary>
public static class MergeGate
{
    public static MergeGateDecision Decide(IEnumerable<JsonElement> payloads, MergeGateOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ours = payloads.Where(p => options.Repository is null || GitHubRepositoryMatcher.Matches(p, options.Repository)).ToList();
        var merges = ours.Select(p => PullRequestMergeEvaluator.Evaluate(p, options.Branch)).OfType<PullRequestMerge>().DistinctBy(m => m.Number).ToList();
        if (merges.Count == 0)
        {
            return new MergeGateDecision.Waiting($"no pull request merged into {options.Branch} yet");
        }

        if (!options.RequireChecks)
        {
            return new MergeGateDecision.Passed(merges[0], []);
        }

        var results = ours.Select(CheckResultEvaluator.Evaluate).OfType<CheckResult>().ToList();
        var verdicts = merges.Select(m => Verdict(m, results, options)).ToList();
        return verdicts.OfType<MergeGateDecision.Failed>().FirstOrDefault()
            ?? verdicts.OfType<MergeGateDecision.Passed>().FirstOrDefault()
            ?? (MergeGateDecision)verdicts.OfType<MergeGateDecision.Waiting>().First();
    }

    private static MergeGateDecision Verdict(PullRequestMerge merge, IReadOnlyList<CheckResult> results, MergeGateOptions options)
    {
        var pullRequest = $"pull request #{merge.Number} ({merge.HeadRef}) merged into {options.Branch}";
        if (merge.HeadSha.Length == 0)
        {
            return new MergeGateDecision.Waiting($"{pullRequest} names no head commit (pull_request.head.sha), so no check can be matched to it");
        }

        var latest = results
            .Where(r => string.Equals(r.Sha, merge.HeadSha, StringComparison.OrdinalIgnoreCase))
            .Where(r => options.Checks.Count == 0 || options.Checks.Any(r.IsNamed))
            .GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase)
            .Select(g => g.Last())
            .ToList();
        if (latest.FirstOrDefault(r => r.Outcome == CheckOutcome.Failed) is { } failed)
        {
            return new MergeGateDecision.Failed($"check '{failed.Name}' failed ({failed.Result}) on commit {merge.HeadSha}, the head of {pullRequest}; the merged code did not pass its required checks");
        }

        var passed = latest.Where(r => r.Outcome == CheckOutcome.Passed).ToList();
        var missing = options.Checks.Where(c => !passed.Any(r => r.IsNamed(c))).ToList();
        if (options.Checks.Count == 0 ? passed.Count > 0 : missing.Count == 0)
        {
            return new MergeGateDecision.Passed(merge, passed.Select(r => r.Name).ToList());
        }

        var wanted = options.Checks.Count == 0 ? "a successful check suite or status" : $"successful {string.Join(", ", missing.Select(c => $"'{c}'"))}";
        return new MergeGateDecision.Waiting($"{pullRequest}; waiting for {wanted} on its head commit {merge.HeadSha}");
    }
}
