using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;

namespace Gantry.Cli.Tests.Commands;

/// <summary><c>gantry runs retry</c> and <c>gantry runs answer</c> on a run that needs a file that is missing at first (a host broken, then fixed).</summary>
public sealed class RunsRecoveryCommandsTests : IDisposable
{
    private const string NeedsFile = """
        id: needs-file
        inputs:
          file: { type: string, required: true }
          ask: { type: boolean, default: false }
        on_error: "{{ if inputs.ask }}ask{{ else }}fail{{ end }}"
        steps:
          - id: before
            uses: log
            with: { message: "looking for the file" }
          - id: check
            uses: shell.local
            with: { command: [test, -f, "{{ inputs.file }}"] }
        on_failure:
          - id: cleanup
            uses: log
            with: { message: "cleaning up" }
        """;

    private readonly TempWorkspace _workspace = new();
    private readonly string _marker;

    public RunsRecoveryCommandsTests()
    {
        _workspace.Write("workflows/needs-file.yaml", NeedsFile);
        _marker = Path.Combine(_workspace.Root, "marker");
    }

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Retry_FailedRunOnceFixed_GoesOnInTheSameRunAndSucceeds()
    {
        var first = CliTestApp.Run("run", "needs-file", "--input", $"file={_marker}", "--workspace", _workspace.Root);
        var runId = RunIdOf(first.Output);
        File.WriteAllText(_marker, "fixed");

        var retry = CliTestApp.Run("runs", "retry", runId, "--workspace", _workspace.Root);

        Assert.NotEqual(0, first.ExitCode);
        Assert.Equal(0, retry.ExitCode);
        Assert.Contains($"run {runId} retried from the failed step 'check'", retry.Output);
        Assert.EndsWith($"run {runId} succeeded", retry.Output.TrimEnd());
        var journal = await JournalAsync(runId);
        Assert.Equal(Environment.UserName, Assert.Single(journal, e => e.Type == JournalEventTypes.RunRetried).Actor);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepStarted && e.StepId == "before");
    }

    [Fact]
    public void Retry_SucceededRunOrUnknownStep_IsRefusedWithUsageExitCode()
    {
        File.WriteAllText(_marker, "there");
        var succeeded = RunIdOf(CliTestApp.Run("run", "needs-file", "--input", $"file={_marker}", "--workspace", _workspace.Root).Output);

        var refused = CliTestApp.Run("runs", "retry", succeeded, "--workspace", _workspace.Root);
        var missing = CliTestApp.Run("runs", "retry", "no-such-run", "--workspace", _workspace.Root);

        Assert.Equal((2, $"error: run {succeeded} is succeeded; only a failed or cancelled run can be retried"), (refused.ExitCode, refused.Output.Trim()));
        Assert.Equal((2, "error: no run with id 'no-such-run'"), (missing.ExitCode, missing.Output.Trim()));
    }

    [Fact]
    public async Task Answer_Abort_FailsTheRunAndRunsOnFailure_AndANonAnswerIsRefused()
    {
        var waiting = CliTestApp.Run("run", "needs-file", "--input", $"file={_marker}", "--input", "ask=true", "--workspace", _workspace.Root);
        var runId = RunIdOf(waiting.Output);

        var wrong = CliTestApp.Run("runs", "answer", runId, "later", "--workspace", _workspace.Root);
        var abort = CliTestApp.Run("runs", "answer", runId, "abort", "--workspace", _workspace.Root);

        Assert.Contains("answer retry, skip or abort", waiting.Output.ReplaceLineEndings(" "));
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("'later' is not an answer; expected retry, skip or abort", wrong.Output);
        Assert.NotEqual(0, abort.ExitCode);
        Assert.Contains($"run {runId} failed", abort.Output);
        var journal = await JournalAsync(runId);
        Assert.Equal(Environment.UserName, Assert.Single(journal, e => e.Type == JournalEventTypes.StepFailed && e.StepId == "check").Actor);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "cleanup");
    }

    [Fact]
    public async Task Answer_RetryOnceFixed_RunsTheStepAgainAndSucceeds()
    {
        var runId = RunIdOf(CliTestApp.Run("run", "needs-file", "--input", $"file={_marker}", "--input", "ask=true", "--workspace", _workspace.Root).Output);
        File.WriteAllText(_marker, "fixed");

        var answer = CliTestApp.Run("runs", "answer", runId, "retry", "--workspace", _workspace.Root);

        Assert.Equal(0, answer.ExitCode);
        Assert.EndsWith($"run {runId} succeeded", answer.Output.TrimEnd());
        var journal = await JournalAsync(runId);
        Assert.Equal($"{Environment.UserName} answered retry", Assert.Single(journal, e => e.Type == JournalEventTypes.StepResumed && e.StepId == "check").Message);
        Assert.Single(journal, e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "check");
    }

    private static string RunIdOf(string output) => output.Split('\n')[0].Split(' ')[1];

    private async Task<IReadOnlyList<JournalEvent>> JournalAsync(string runId)
    {
        await using var stores = await RunStoreFactory.OpenAsync(null, _workspace.Root, TimeProvider.System, CancellationToken.None);
        return await stores.Runs.ReadJournalAsync(runId, 0, CancellationToken.None);
    }
}
