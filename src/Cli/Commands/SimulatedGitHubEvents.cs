using System.Text.RegularExpressions;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Commands;

/// <summary>What a run's git.wait-merged step waits for, read from its journal: the branch's commit on origin when it began waiting, and the
/// reviewers and checks it requires.</summary>
internal sealed record AwaitedMerge(string? Tip, IReadOnlyList<string> Reviewers, int Approvals, IReadOnlyList<string> Checks)
{
    public static AwaitedMerge Read(IReadOnlyList<JournalEvent> journal)
    {
        var waiting = JournalState.Replay(journal).Waiting.FirstOrDefault(w => w.Value.Wait?.Signal == "pull_request");
        if (waiting.Value?.Wait is not { } wait)
        {
            return new AwaitedMerge(null, [], 0, []);
        }

        var inputs =
            journal.LastOrDefault(e => e.Type == JournalEventTypes.StepStarted && e.Path == waiting.Key)?.Inputs as IDictionary<string, object?>;
        var tip = NowAt().Match(wait.Description);
        return new AwaitedMerge(
            tip.Success ? tip.Groups[1].Value : null,
            Strings(inputs, "reviewers"),
            inputs?.TryGetValue("approvals", out var approvals) == true
            && int.TryParse(Convert.ToString(approvals, System.Globalization.CultureInfo.InvariantCulture), out var count)
                ? count
                : 0,
            Strings(inputs, "checks"));
    }

    private static List<string> Strings(IDictionary<string, object?>? inputs, string name) =>
        inputs?.TryGetValue(name, out var value) == true && value is IEnumerable<object?> list ? [.. list.OfType<string>()] : [];

    private static Regex NowAt() => new(@"\(now at ([0-9a-f]{40})\)", RegexOptions.CultureInvariant);
}

/// <summary>
/// GitHub webhook payloads for <c>gantry runs signal RUN pull_request --merged-into BRANCH</c>, shaped
/// like GitHub's own: the <c>pull_request</c> <c>closed</c> event of a merged pull request (which
/// says <c>mergeable_state: unknown</c>, as GitHub does after a merge), an approving
/// <c>pull_request_review</c> by each reviewer the step requires, and a completed <c>check_suite</c>
/// per required check on its head commit. The merge names the branch's commit on origin (what it is
/// now: the step checks every merge against origin), so the signal says "accept the branch as it is".
/// For sandbox runs and tests; real ones come from the webhook.
/// </summary>
internal static class SimulatedGitHubEvents
{
    public const string HeadSha = "1111111111111111111111111111111111111111";
    public const string MergeSha = "0000000000000000000000000000000000000000";
    public const string HeadBranch = "fix-the-bug";
    public const string CheckApp = "Gantry CLI";

    public static List<object?> For(AwaitedMerge awaited, string branch, string checks, string user)
    {
        var head = awaited.Tip ?? HeadSha;
        var events = new List<object?> { MergedPullRequest(branch, user, awaited.Tip ?? MergeSha, head) };
        var reviewers = awaited.Reviewers.Concat(
            Enumerable.Range(1, Math.Max(0, awaited.Approvals - awaited.Reviewers.Count)).Select(i => $"reviewer-{i}"));
        events.AddRange(reviewers.Select(r => ApprovingReview(branch, r, head)));
        if (checks != "none")
        {
            events.AddRange(
                awaited.Checks.Count == 0
                    ? [CompletedCheckSuite(checks, branch, user, head, CheckApp)]
                    : awaited.Checks.Select(c => CompletedCheckSuite(checks, branch, user, head, c)));
        }

        return events;
    }

    public static Dictionary<string, object?> MergedPullRequest(
        string branch, string mergedBy, string mergeSha = MergeSha, string headSha = HeadSha) => new()
    {
        ["action"] = "closed",
        ["number"] = 1L,
        ["pull_request"] = new Dictionary<string, object?>
        {
            ["number"] = 1L,
            ["state"] = "closed",
            ["merged"] = true,
            ["mergeable"] = null,
            ["mergeable_state"] = "unknown",
            ["merge_commit_sha"] = mergeSha,
            ["base"] = new Dictionary<string, object?> { ["ref"] = branch },
            ["head"] = new Dictionary<string, object?> { ["ref"] = HeadBranch, ["sha"] = headSha },
            ["merged_by"] = new Dictionary<string, object?> { ["login"] = mergedBy },
        },
        ["sender"] = new Dictionary<string, object?> { ["login"] = mergedBy },
    };

    public static Dictionary<string, object?> ApprovingReview(string branch, string reviewer, string headSha) => new()
    {
        ["action"] = "submitted",
        ["review"] = new Dictionary<string, object?>
        {
            ["state"] = "approved",
            ["commit_id"] = headSha,
            ["user"] = new Dictionary<string, object?> { ["login"] = reviewer },
        },
        ["pull_request"] = new Dictionary<string, object?>
        {
            ["number"] = 1L,
            ["base"] = new Dictionary<string, object?> { ["ref"] = branch },
            ["head"] = new Dictionary<string, object?> { ["ref"] = HeadBranch, ["sha"] = headSha },
        },
        ["sender"] = new Dictionary<string, object?> { ["login"] = reviewer },
    };

    public static Dictionary<string, object?> CompletedCheckSuite(
        string conclusion, string branch, string sender, string headSha = HeadSha, string app = CheckApp) => new()
    {
        ["action"] = "completed",
        ["check_suite"] = new Dictionary<string, object?>
        {
            ["head_branch"] = HeadBranch,
            ["head_sha"] = headSha,
            ["status"] = "completed",
            ["conclusion"] = conclusion,
            ["app"] = new Dictionary<string, object?> { ["slug"] = app == CheckApp ? "gantry-cli" : app, ["name"] = app },
            ["pull_requests"] = new List<object?>
            {
                new Dictionary<string, object?>
                {
                    ["number"] = 1L,
                    ["head"] = new Dictionary<string, object?> { ["ref"] = HeadBranch, ["sha"] = headSha },
                    ["base"] = new Dictionary<string, object?> { ["ref"] = branch },
                },
            },
        },
        ["sender"] = new Dictionary<string, object?> { ["login"] = sender },
    };
}
