using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Providers.Git;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>What every run of the kill test must show, however often its processes were killed.</summary>
internal static class RolloutInvariants
{
    public static readonly Dictionary<string, string[]> SandboxGroups = new()
    {
        ["group1"] = ["web1", "web2"],
        ["group2"] = ["web3", "web4"],
    };

    /// <summary>Ended exactly once, successfully; no step instance succeeded twice; a gap-free journal.</summary>
    public static async Task AssertRanOnceAsync(DurableWorkspace workspace, string runId, string context)
    {
        var run = await workspace.Runs.GetRunAsync(runId, CancellationToken.None);
        var journal = await workspace.JournalAsync(runId);
        Assert.True(run!.Status == RunStatus.Succeeded, $"run {runId} ({run.WorkflowId}) ended {run.Status}: {run.Message} ({context})");
        var finished = journal.Count(e => e.Type == JournalEventTypes.RunFinished);
        Assert.True(finished == 1, $"run {runId} has {finished} run.finished events ({context})");
        var twice = journal.Where(e => e.Type == JournalEventTypes.StepSucceeded).GroupBy(e => e.Path).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(twice.Count == 0, $"run {runId}: step instances with two step.succeeded: {string.Join(", ", twice)} ({context})");
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(e => e.Sequence));
    }

    /// <summary>Every sandbox host is on the newest stable tag of the sandbox origin (what ref: stable deploys).</summary>
    public static async Task AssertEveryHostOnAsync(DurableWorkspace workspace, string release, string context)
    {
        using var state = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(workspace.Root, ".gantry", "sandbox", "sandbox.json")));
        var hosts = state.RootElement.GetProperty("hosts").EnumerateObject().ToDictionary(h => h.Name, h => h.Value.GetProperty("current").GetString());
        Assert.True(
            SandboxGroups.Values.SelectMany(h => h).All(h => hosts.GetValueOrDefault(h) == release),
            $"every host should be on {release}; they are on: {string.Join(", ", hosts.Select(h => $"{h.Key} {h.Value}"))} ({context})");
        Assert.True(state.RootElement.GetProperty("min_live_groups_seen").GetInt32() >= 1, $"the sandbox saw fewer than one live group at some write ({context})");
    }

    /// <summary>The newest vX.Y.Z tag on the sandbox origin.</summary>
    public static async Task<string> NewestStableTagAsync(DurableWorkspace workspace)
    {
        var origin = Path.Combine(workspace.Root, ".gantry", "sandbox", "origin.git");
        var tags = await new GitCommandRunner().RunAsync(origin, ["tag", "--list", "v*", "--sort=-v:refname"], CancellationToken.None);
        return tags.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .First(t => System.Text.RegularExpressions.Regex.IsMatch(t, @"^v\d+\.\d+\.\d+$"));
    }
}
