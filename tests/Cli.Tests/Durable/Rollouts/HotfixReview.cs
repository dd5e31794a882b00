using System.Text.RegularExpressions;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>The hotfix workflow's review wait, as a test that plays the reviewer sees it.</summary>
internal static partial class HotfixReview
{
    /// <summary>Waits for the hotfix run to wait for its reviewed merge; returns the hotfix branch it waits on.</summary>
    public static async Task<string> BranchAsync(DurableWorkspace workspace, string runId, Func<string> context)
    {
        string? branch = null;
        await DurableWorkspace.WaitForAsync(
            async () =>
            {
                var waiting = (await workspace.JournalAsync(runId)).LastOrDefault(e => e.Type == JournalEventTypes.StepWaiting && e.StepId == "review");
                branch = waiting?.Message is { } message && HotfixBranch().Match(message) is { Success: true } match ? match.Value : null;
                return branch is not null;
            },
            TimeSpan.FromSeconds(60),
            () => $"run {runId} to wait for its review ({context()})");
        return branch!;
    }

    [GeneratedRegex(@"hotfix/\d+\.\d+\.\d+")]
    private static partial Regex HotfixBranch();
}
