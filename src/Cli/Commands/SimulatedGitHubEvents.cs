namespace Gantry.Cli.Commands;

/// <summary>
/// GitHub webhook payloads for <c>gantry runs signal RUN pull_request --merged-into BRANCH</c>, shaped
/// like GitHub's own: the <c>pull_request</c> <c>closed</c> event of a merged pull request (which
/// says <c>mergeable_state: unknown</c>, as GitHub does after a merge) and a completed
/// <c>check_suite</c> on its head commit. For sandbox runs and tests; real ones come from the webhook.
/// </summary>
internal static class SimulatedGitHubEvents
{
    public const string HeadSha = "1111111111111111111111111111111111111111";
    public const string MergeSha = "0000000000000000000000000000000000000000";
    public const string HeadBranch = "fix-the-bug";
    public const string CheckApp = "Gantry CLI";

    public static Dictionary<string, object?> MergedPullRequest(string branch, string mergedBy) => new()
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
            ["merge_commit_sha"] = MergeSha,
            ["base"] = new Dictionary<string, object?> { ["ref"] = branch },
            ["head"] = new Dictionary<string, object?> { ["ref"] = HeadBranch, ["sha"] = HeadSha },
            ["merged_by"] = new Dictionary<string, object?> { ["login"] = mergedBy },
        },
        ["sender"] = new Dictionary<string, object?> { ["login"] = mergedBy },
    };

    public static Dictionary<string, object?> CompletedCheckSuite(string conclusion, string branch, string sender) => new()
    {
        ["action"] = "completed",
        ["check_suite"] = new Dictionary<string, object?>
        {
            ["head_branch"] = HeadBranch,
            ["head_sha"] = HeadSha,
            ["status"] = "completed",
            ["conclusion"] = conclusion,
            ["app"] = new Dictionary<string, object?> { ["slug"] = "gantry-cli", ["name"] = CheckApp },
            ["pull_requests"] = new List<object?>
            {
                new Dictionary<string, object?>
                {
                    ["number"] = 1L,
                    ["head"] = new Dictionary<string, object?> { ["ref"] = HeadBranch, ["sha"] = HeadSha },
                    ["base"] = new Dictionary<string, object?> { ["ref"] = branch },
                },
            },
        },
        ["sender"] = new Dictionary<string, object?> { ["login"] = sender },
    };
}
