using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Commands;

/// <summary>A run left running by a process that died (a killed <c>gantry run</c>): shown orphaned, taken over by <c>gantry runs resume</c>.</summary>
public sealed class RunsResumeCommandTests : IDisposable
{
    private const string Hello = """
        id: hello
        steps:
          - id: greet
            uses: log
            with: { message: hello }
          - id: bye
            uses: log
            with: { message: goodbye }
        """;

    private readonly TempWorkspace _workspace = new();

    public RunsResumeCommandTests()
    {
        _workspace.Write("workflows/hello.yaml", Hello);
    }

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Resume_RunWhoseProcessDied_ListedOrphanedThenTakenOverAndFinishedHere()
    {
        var runId = await RunLeftByADeadProcessAsync();

        var list = CliTestApp.Run("runs", "list", "--workspace", _workspace.Root);
        var show = CliTestApp.Run("runs", "show", runId, "--workspace", _workspace.Root);
        var resume = CliTestApp.Run("runs", "resume", runId, "--workspace", _workspace.Root);

        Assert.Contains("running (orphaned)", list.Output);
        Assert.Contains($"orphaned: node dead-node stopped renewing its lease", show.Output);
        Assert.Contains($"resume it with gantry runs resume {runId}", show.Output.ReplaceLineEndings(" "));
        Assert.Equal(0, resume.ExitCode);
        Assert.EndsWith($"run {runId} succeeded", resume.Output.TrimEnd());
        await using var stores = await RunStoreFactory.OpenAsync(null, _workspace.Root, TimeProvider.System, CancellationToken.None);
        var journal = await stores.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
        Assert.Single(journal, e => e.Type == JournalEventTypes.RunFinished);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "greet");
        Assert.Null((await stores.Runs.GetRunAsync(runId, CancellationToken.None))!.LeaseOwner);
    }

    [Theory]
    [InlineData("show")]
    [InlineData("resume")]
    public void ShowOrResume_UnknownRun_IsAUsageErrorNamingTheId(string verb)
    {
        var result = CliTestApp.Run("runs", verb, "run-that-never-was", "--workspace", _workspace.Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("no run with id 'run-that-never-was'", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Resume_FinishedRun_ExecutesNothingAndExitsAsTheRunEnded()
    {
        var run = CliTestApp.Run("run", "hello", "--workspace", _workspace.Root);
        var runId = run.Output.Split('\n')[0].Split(' ')[1];

        var resume = CliTestApp.Run("runs", "resume", runId, "--workspace", _workspace.Root);

        Assert.Equal(0, resume.ExitCode);
        Assert.DoesNotContain("resumed", resume.Output);
    }

    /// <summary>A run a process started and was executing (its first step done) when it was killed; its lease has expired.</summary>
    private async Task<string> RunLeftByADeadProcessAsync()
    {
        var detached = CliTestApp.Run("run", "hello", "--detach", "--workspace", _workspace.Root);
        var runId = detached.Output.Trim();
        await using var stores = await RunStoreFactory.OpenAsync(null, _workspace.Root, TimeProvider.System, CancellationToken.None);
        var lease = await stores.Leases.TryClaimRunAsync(runId, "dead-node", TimeSpan.FromMilliseconds(200), CancellationToken.None);
        var fenced = stores.Leases.Fenced(lease!);
        await fenced.UpdateStatusAsync(runId, RunStatus.Running, null, CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await fenced.AppendAsync(runId, [
            new JournalEvent { Type = JournalEventTypes.RunStarted, Time = now },
            new JournalEvent { Type = JournalEventTypes.StepStarted, Path = "steps[0]", StepId = "greet", Activity = "log", Time = now },
            new JournalEvent { Type = JournalEventTypes.StepSucceeded, Path = "steps[0]", StepId = "greet", Activity = "log", Time = now },
        ], CancellationToken.None);

        await Eventually.TrueAsync(
            async () => !(await stores.Runs.GetRunAsync(runId, CancellationToken.None))!.IsLeasedAt(DateTimeOffset.UtcNow),
            "the dead process's lease expires",
            TimeSpan.FromSeconds(10),
            every: TimeSpan.FromMilliseconds(20));

        return runId;
    }
}
