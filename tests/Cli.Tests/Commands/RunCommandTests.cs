using System.Text.Json;
using System.Text.RegularExpressions;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests.Commands;

/// <summary><c>gantry run</c> and <c>gantry runs …</c> in-process over a temp workspace and its SQLite store.</summary>
public sealed partial class RunCommandTests : IDisposable
{
    private const string Hello = """
        id: hello
        inputs:
          who: { type: string, default: there }
        steps:
          - id: greet
            uses: log
            with: { message: "hello {{ inputs.who }}" }
          - id: bye
            uses: log
            with: { message: goodbye }
        """;

    private const string Gated = """
        id: gated
        steps:
          - id: before
            uses: log
            with: { message: before the gate }
          - id: gate
            uses: wait
            with: { signal: go }
        on_failure:
          - uses: log
            with: { message: "restoring after {{ error.message }}" }
        """;

    private const string Leaky = """
        id: leaky
        steps:
          - id: login
            uses: shell.local
            with: { shell: true, command: "echo logging in with $DB_PASSWORD", env: { DB_PASSWORD: "{{ secrets.db_password }}" } }
          - id: refuse
            uses: shell.local
            with: { shell: true, command: "echo cannot log in with $DB_PASSWORD >&2; exit 1", env: { DB_PASSWORD: "{{ secrets.db_password }}" } }
        """;

    private const string Secrets = """
        id: secretive
        hosts:
          web1: { address: 127.0.0.1 }
        groups:
          group1: { hosts: [web1] }
        secrets:
          db_password: { value: hunter2-secret }
        """;

    private readonly TempWorkspace _workspace = new();

    public RunCommandTests()
    {
        _workspace.Write("workflows/hello.yaml", Hello);
    }

    public void Dispose() => _workspace.Dispose();

    private string Root => _workspace.Root;

    [Fact]
    public void Run_LogSteps_SucceedsWithExitZeroAndShowsEachStep()
    {
        var result = CliTestApp.Run("run", "hello", "--workspace", Root);

        Assert.Equal(0, result.ExitCode);
        var id = RunId(result.Output);
        var lines = Lines(result.Output);
        Assert.Equal($"run {id} hello on no environment", lines[0]);
        Assert.Contains("    hello there", lines);
        Assert.Matches(@"^  ✓ greet \(log\) \d+\.\ds$", lines.Single(l => l.Contains("✓ greet", StringComparison.Ordinal)));
        Assert.Equal($"run {id} succeeded", lines[^1]);
        Assert.True(File.Exists(Path.Combine(Root, ".gantry", "gantry.db")));
    }

    [Fact]
    public void Run_FailStep_ExitsOneAndPrintsTheMessage()
    {
        _workspace.Write("workflows/broken.yaml", """
            id: broken
            steps:
              - id: guard
                uses: fail
                with: { message: refusing to deploy on Fridays }
            """);

        var result = CliTestApp.Run("run", "broken", "--workspace", Root);

        Assert.Equal(1, result.ExitCode);
        Assert.Equal($"run {RunId(result.Output)} failed: step guard (steps[0]) failed: refusing to deploy on Fridays", Lines(result.Output)[^1]);
    }

    [Fact]
    public void Run_UnknownWorkflow_ExitsTwoNamingTheKnownOnes()
    {
        var result = CliTestApp.Run("run", "helo", "--workspace", Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal($"error: workflow 'helo' not found: no such file, and no helo.yaml in {Path.Combine(Root, "workflows")} (did you mean 'hello'?); known: hello", string.Join(' ', Lines(result.Output)));
    }

    [Fact]
    public void Run_BadInput_ExitsTwoNamingTheDeclaredInputs()
    {
        var unknown = CliTestApp.Run("run", "hello", "--input", "whom=you", "--workspace", Root);
        var malformed = CliTestApp.Run("run", "hello", "--input", "who", "--workspace", Root);

        Assert.Equal(2, unknown.ExitCode);
        Assert.Equal(["error: invalid inputs for workflow hello:", "  unknown input 'whom' (did you mean 'who'?); hello declares: who"], Lines(unknown.Output).Where(l => l.Length > 0));
        Assert.Equal(2, malformed.ExitCode);
        Assert.Equal("error: --input 'who' is not of the form name=value", malformed.Output.Trim());
    }

    [Fact]
    public void Run_InvalidDocument_ExitsTwoAndPrintsTheLocatedError()
    {
        var path = _workspace.Write("workflows/typo.yaml", """
            id: typo
            steps:
              - uses: lgo
                with: { message: hi }
            """);

        var result = CliTestApp.Run("run", "typo", "--workspace", Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains($"error {path}:3:11 steps[0].uses: unknown activity 'lgo' (did you mean 'log'?)", Lines(result.Output));
        Assert.False(File.Exists(Path.Combine(Root, ".gantry", "gantry.db")));
    }

    [Fact]
    public void Run_JsonOutput_IsOneEventObjectPerLine()
    {
        var result = CliTestApp.Run("run", "hello", "--output", "json", "--workspace", Root);

        Assert.Equal(0, result.ExitCode);
        var events = Lines(result.Output).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var id = events[0].GetProperty("run").GetString();
        Assert.All(events, e => Assert.Equal(id, e.GetProperty("run").GetString()));
        Assert.Equal(
            ["run.started", "step.started", "log", "step.succeeded", "step.started", "log", "step.succeeded", "run.finished"],
            events.Select(e => e.GetProperty("event").GetProperty("type").GetString()));
        Assert.Equal("succeeded", events[^1].GetProperty("event").GetProperty("status").GetString());
    }

    [Fact]
    public void Run_JsonOutputOfAWaitingRunAndItsCancel_StaysOneObjectPerLine()
    {
        _workspace.Write("workflows/gated.yaml", Gated);

        var waiting = CliTestApp.Run("run", "gated", "--output", "json", "--workspace", Root);
        var events = Lines(waiting.Output).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var id = events[0].GetProperty("run").GetString()!;
        var cancelled = CliTestApp.Run("runs", "cancel", id, "--output", "json", "--workspace", Root);
        var after = Lines(cancelled.Output).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(3, waiting.ExitCode);
        Assert.Equal("step.waiting", events[^1].GetProperty("event").GetProperty("type").GetString());
        Assert.Equal("go", events[^1].GetProperty("event").GetProperty("wait").GetProperty("signal").GetString());
        Assert.Equal(0, cancelled.ExitCode);
        Assert.Equal("cancelled", after[^1].GetProperty("status").GetString());
        Assert.Equal($"cancelled by {Environment.UserName}", after[^1].GetProperty("message").GetString());
        Assert.Contains(after, e => e.TryGetProperty("event", out var ev) && ev.GetProperty("message").GetString() == "restoring after cancelled");
    }

    [Fact]
    public void Run_HotfixOnSandbox_WaitsForThePullRequestAndASecondCommandFinishesIt()
    {
        _workspace.CopyFromRepository("workflows");

        var waiting = CliTestApp.Run("run", "hotfix", "--env", "sandbox", "--input", "version=3.0.1", "--workspace", Root);

        Assert.Equal(3, waiting.ExitCode);
        var id = RunId(waiting.Output);
        var lines = Lines(waiting.Output);
        Assert.Contains($"run {id} is waiting (it holds no process; resume it from anywhere that reaches the same store):", lines);
        Assert.Contains($"  a pull request merged into hotfix/3.0.1 (now at {SandboxTip("hotfix/3.0.1")}), approved by pr-nightmare, with its checks passed:", lines);
        Assert.Contains($"    gantry runs signal {id} pull_request --merged-into hotfix/3.0.1", lines);

        var listed = CliTestApp.Run("runs", "list", "--output", "json", "--workspace", Root);
        var run = Assert.Single(JsonDocument.Parse(listed.Output).RootElement.EnumerateArray());
        Assert.Equal(id, run.GetProperty("id").GetString());
        Assert.Equal("waiting", run.GetProperty("status").GetString());

        var resumed = CliTestApp.Run("runs", "signal", id, "pull_request", "--merged-into", "hotfix/3.0.1", "--workspace", Root);

        Assert.True(resumed.ExitCode == 0, resumed.Output);
        var resumedLines = Lines(resumed.Output);
        Assert.Equal($"signal pull_request delivered to {id}", resumedLines[0]);
        Assert.Equal($"run {id} resumed", resumedLines[1]);
        Assert.DoesNotContain(resumedLines, l => l.Contains("✓ start (git.flow)", StringComparison.Ordinal));
        Assert.Contains(resumedLines, l => l.Contains("✓ finish (git.flow)", StringComparison.Ordinal));
        Assert.Equal($"run {id} succeeded", resumedLines[^1]);
        Assert.Contains(resumedLines, l => l.Contains("approved by pr-nightmare; checks passed on", StringComparison.Ordinal));

        var table = CliTestApp.Run("runs", "list", "--workspace", Root);
        Assert.Contains(Lines(table.Output), l => l.Contains(id, StringComparison.Ordinal) && l.Contains("hotfix", StringComparison.Ordinal) && l.Contains("succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public void RunsSignal_MergedIntoWithFailedChecks_FailsTheReviewNamingTheCheck()
    {
        _workspace.CopyFromRepository("workflows");
        var id = RunId(CliTestApp.Run("run", "hotfix", "--env", "sandbox", "--input", "version=3.0.1", "--workspace", Root).Output);

        var failed = CliTestApp.Run("runs", "signal", id, "pull_request", "--merged-into", "hotfix/3.0.1", "--checks", "failure", "--output", "json", "--workspace", Root);

        Assert.Equal(1, failed.ExitCode);
        var error = Lines(failed.Output).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(e => e.TryGetProperty("event", out var ev) && ev.GetProperty("type").GetString() == "step.failed")
            .Select(e => e.GetProperty("event").GetProperty("error").GetProperty("message").GetString())
            .Single();
        Assert.Equal($"check 'Gantry CLI' failed (failure) on commit {SandboxTip("hotfix/3.0.1")}, the head of pull request #1 (fix-the-bug) merged into hotfix/3.0.1; the merged code did not pass its required checks", error);
    }

    /// <summary>The branch's commit on the sandbox's origin: what --merged-into reports as merged.</summary>
    private string SandboxTip(string branch) =>
        new Gantry.Providers.Git.GitCommandRunner().RunAsync(Path.Combine(Root, ".gantry", "sandbox", "origin.git"), ["rev-parse", branch], CancellationToken.None).GetAwaiter().GetResult().StandardOutput.Trim();

    [Fact]
    public void RunsSignal_ChecksWithoutMergedInto_IsAUsageError()
    {
        var result = CliTestApp.Run("runs", "signal", "run-1", "pull_request", "--checks", "success", "--workspace", Root);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--checks goes with --merged-into", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void RunsList_ByTrigger_ShowsOnlyRunsStartedThatWay()
    {
        var run = CliTestApp.Run("run", "hello", "--workspace", Root);
        var id = RunId(run.Output);

        var fromCli = CliTestApp.Run("runs", "list", "--trigger", "cli", "--output", "json", "--workspace", Root);
        var fromPush = CliTestApp.Run("runs", "list", "--trigger", "push", "--output", "json", "--workspace", Root);

        Assert.Equal([id], JsonDocument.Parse(fromCli.Output).RootElement.EnumerateArray().Select(r => r.GetProperty("id").GetString()));
        Assert.Equal(0, JsonDocument.Parse(fromPush.Output).RootElement.GetArrayLength());
    }

    [Fact]
    public void RunsCancel_WaitingRun_EndsCancelledAndRunsOnFailure()
    {
        _workspace.Write("workflows/gated.yaml", Gated);
        var waiting = CliTestApp.Run("run", "gated", "--workspace", Root);
        Assert.Equal(3, waiting.ExitCode);
        var id = RunId(waiting.Output);

        var cancelled = CliTestApp.Run("runs", "cancel", id, "--workspace", Root);

        Assert.Equal(0, cancelled.ExitCode);
        var lines = Lines(cancelled.Output);
        Assert.Contains("    restoring after cancelled", lines);
        Assert.Equal($"run {id}: cancelled cancelled by {Environment.UserName}", lines[^1]);
        var shown = CliTestApp.Run("runs", "show", id, "--output", "json", "--workspace", Root);
        Assert.Equal("cancelled", JsonDocument.Parse(shown.Output).RootElement.GetProperty("run").GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void Run_SecretInAFailingStep_NeverAppearsInTheOutput(string output)
    {
        _workspace.Write("workflows/leaky.yaml", Leaky);
        _workspace.Write("workflows/environments/secretive.yaml", Secrets);

        var result = CliTestApp.Run("run", "leaky", "--env", "secretive", "--output", output, "--workspace", Root);
        var shown = CliTestApp.Run("runs", "show", RunIdFromStore(), "--output", output, "--workspace", Root);

        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("hunter2", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", shown.Output, StringComparison.Ordinal);
        Assert.Contains("cannot log in with ***", result.Output, StringComparison.Ordinal);
        Assert.Contains("logging in with ***", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_InTerminal_DrawsTheLiveStepTree()
    {
        var console = new TestConsole().Width(200).Interactive().EmitAnsiSequences().SupportsUnicode(true);
        console.Profile.Capabilities.Ansi = true;

        var result = CliTestApp.Run(console, "run", "hello", "--workspace", Root);

        Assert.Equal(0, result.ExitCode);
        var text = Ansi().Replace(result.Output, "");
        var id = RunIdFromStore();
        Assert.Contains($"run {id} hello on no environment succeeded", text, StringComparison.Ordinal);
        Assert.Matches(@"├── ✓ greet \(log\) \d+\.\ds", text);
        Assert.Matches(@"└── ✓ bye \(log\) \d+\.\ds", text);
        Assert.DoesNotContain("    hello there", text, StringComparison.Ordinal);
    }

    private string RunIdFromStore()
    {
        var listed = CliTestApp.Run("runs", "list", "--output", "json", "--limit", "1", "--workspace", Root);
        return JsonDocument.Parse(listed.Output).RootElement[0].GetProperty("id").GetString()!;
    }

    private static List<string> Lines(string output) => output.Split('\n').Select(l => l.TrimEnd()).ToList();

    private static string RunId(string output) => RunLine().Match(output) is { Success: true } m ? m.Groups[1].Value : throw new InvalidOperationException($"no run id in:\n{output}");

    [GeneratedRegex(@"^run (\S+) ", RegexOptions.Multiline)]
    private static partial Regex RunLine();

    [GeneratedRegex(@"\x1b\[[0-9;?]*[A-Za-z]")]
    private static partial Regex Ansi();
}
