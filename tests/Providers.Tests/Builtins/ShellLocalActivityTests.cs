using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Runtime;
using Gantry.Providers.Shell;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.Builtins;

public sealed class ShellLocalActivityTests
{
    private const string SecretEnvironment = """
        id: test
        secrets:
          token: { value: s3cr3t-value }
        """;

    [Fact]
    public async Task Run_ArgvList_PassesArgumentsVerbatimAndCapturesStdout()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: echo
                uses: shell.local
                with: { command: [echo, hello, "a  b", "$HOME", 42] }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        var outputs = await harness.OutputsAsync(run, "echo");
        Assert.Equal("hello a  b $HOME 42", outputs["stdout"]);
        Assert.Equal(0L, outputs["exit_code"]);
        Assert.Equal("", outputs["stderr_tail"]);
        Assert.Equal(["hello a  b $HOME 42"], await harness.LogAsync(run.Id, "stdout"));
    }

    [Fact]
    public async Task Run_EnvAndWorkingDir_AreApplied()
    {
        var dir = Directory.CreateTempSubdirectory("gantry-shell-").FullName;
        try
        {
            var harness = new BuiltinsHarness();

            var run = await harness.RunAsync($$"""
                id: sh
                steps:
                  - id: env
                    uses: shell.local
                    with:
                      command: [sh, -c, 'echo "$GREETING"; pwd']
                      env: { GREETING: hi there }
                      working_dir: "{{dir}}"
                """);

            Assert.Equal($"hi there\n{dir}", (await harness.OutputsAsync(run, "env"))["stdout"]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Run_Stderr_IsStreamedAndTailed()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: err
                uses: shell.local
                with:
                  shell: true
                  command: "echo out; for i in $(seq 1 25); do echo err$i >&2; done"
            """);

        var outputs = await harness.OutputsAsync(run, "err");
        Assert.Equal("out", outputs["stdout"]);
        Assert.Equal(string.Join("\n", Enumerable.Range(6, 20).Select(i => $"err{i}")), outputs["stderr_tail"]);
        Assert.Equal(Enumerable.Range(1, 25).Select(i => $"err{i}"), await harness.LogAsync(run.Id, "stderr"));
    }

    [Fact]
    public async Task Run_NonZeroExit_FailsNamingCommandCodeAndStderr()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: bad
                uses: shell.local
                with: { command: [sh, -c, "echo boom >&2; exit 3"] }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step bad (steps[0]) failed: shell.local: [sh, -c, echo boom >&2; exit 3] exited with code 3 (expected 0); stderr: boom", run.Message);
        var failed = Assert.Single(await harness.JournalAsync(run.Id), e => e.Type == JournalEventTypes.StepFailed);
        Assert.Equal("ShellCommand", failed.Error!.Type);
    }

    [Fact]
    public async Task Run_ExpectedNonZeroExit_Succeeds()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: grep
                uses: shell.local
                with: { command: [sh, -c, "exit 1"], expect_exit_code: 1 }
            """);

        Assert.Equal(1L, (await harness.OutputsAsync(run, "grep"))["exit_code"]);
    }

    [Fact]
    public async Task Run_StringWithoutShell_FailsWithHint()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: s
                uses: shell.local
                with: { command: "git status" }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step s (steps[0]) failed: sh:5:11 steps[0].with.command: shell.local: command must be a list of arguments like [git, status]; set shell: true to run a shell string", run.Message);
    }

    [Fact]
    public async Task Run_ListWithShellAndBadTimeout_ReportsBothProblems()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: s
                uses: shell.local
                with: { command: [git, status], shell: true, timeout: 0s }
            """);

        Assert.Equal(
            "step s (steps[0]) failed: sh:5:11 steps[0].with.command: shell.local: with shell: true, command must be one string like \"make build && make test\", not a list of 2 arguments"
            + Environment.NewLine + "sh:5:11 steps[0].with.timeout: shell.local: timeout must be positive, got 0ms",
            run.Message);
    }

    [Fact]
    public async Task Run_Timeout_KillsSleepAndFailsNamingTheTimeout()
    {
        var harness = new BuiltinsHarness();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var run = await harness.RunAsync("""
            id: sh
            steps:
              - id: nap
                uses: shell.local
                with: { command: [sleep, 30], timeout: 300ms }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step nap (steps[0]) failed: shell.local: [sleep, 30] timed out after 300ms and was killed", run.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public async Task Cancel_RunningCommand_KillsTheWholeProcessTree()
    {
        var harness = new BuiltinsHarness();
        var started = await harness.StartAsync("""
            id: sh
            steps:
              - uses: shell.local
                with: { shell: true, command: "sleep 30 & echo $!; wait" }
            """);
        var running = harness.Engine.RunAsync(started.Id, CancellationToken.None);
        var grandchild = int.Parse(await FirstStdoutLineAsync(harness, started.Id));
        Assert.True(IsAlive(grandchild));

        await harness.Engine.CancelAsync(started.Id, "operator", CancellationToken.None);
        var run = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(RunStatus.Cancelled, run.Status);
        await Eventually.TrueAsync(() => !IsAlive(grandchild), $"sleep (pid {grandchild}) ends after the cancel", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Run_SecretInFailingCommand_IsMaskedInMessageJournalAndLog()
    {
        var harness = new BuiltinsHarness();

        var run = await harness.RunAsync(
            """
            id: sh
            steps:
              - id: leak
                uses: shell.local
                with: { shell: true, command: "echo {{ secrets.token }}; echo token={{ secrets.token }} >&2; exit 1" }
            """,
            SecretEnvironment);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal("step leak (steps[0]) failed: shell.local: 'echo ***; echo token=*** >&2; exit 1' exited with code 1 (expected 0); stderr: token=***", run.Message);
        var journal = await harness.JournalAsync(run.Id);
        Assert.DoesNotContain(journal, e => System.Text.Json.JsonSerializer.Serialize(e).Contains("s3cr3t-value", StringComparison.Ordinal));
        Assert.Equal(["***"], await harness.LogAsync(run.Id, "stdout"));
    }

    [Fact]
    public async Task Run_SecretEncodedByTheCommand_IsMaskedInLogAndJournal()
    {
        var harness = new BuiltinsHarness();

        // What programs print: base64 after a user name (curl -v -u's Authorization header), encodeURIComponent, JSON.
        var run = await harness.RunAsync(
            """
            id: sh
            steps:
              - id: leak
                uses: shell.local
                with:
                  shell: true
                  env: { TOKEN: "{{ secrets.token }}" }
                  command: |
                    printf 'ops:%s' "$TOKEN" | base64
                    node -e 'console.log(encodeURIComponent(process.env.TOKEN)); console.log(JSON.stringify({ t: process.env.TOKEN }))'
                    exit 1
            """,
            """
            id: test
            secrets:
              token: { value: "pa'ss w/rd+@x\"z!" }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Equal(["b3BzOnBh***eiE=", "***", "{\"t\":\"***\"}"], await harness.LogAsync(run.Id, "stdout"));
        var journal = string.Join("\n", (await harness.JournalAsync(run.Id)).Select(e => System.Text.Json.JsonSerializer.Serialize(e)));
        Assert.DoesNotContain("J3NzIHcvcmQrQHgi", journal, StringComparison.Ordinal); // base64 of the secret's middle bytes
        Assert.DoesNotContain("w%2Frd", journal, StringComparison.Ordinal);
        Assert.DoesNotContain("w/rd", journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Execute_SecretInFailingCommand_ExceptionItselfIsMasked()
    {
        var masker = new SecretMasker();
        masker.Add("s3cr3t-value");
        var context = new ActivityContext
        {
            RunId = "r",
            WorkflowId = "w",
            StepPath = "steps[0]",
            ActivityName = "shell.local",
            Inputs = new Dictionary<string, object?> { ["command"] = new List<object?> { "sh", "-c", "echo s3cr3t-value >&2; exit 2" } },
            Secrets = new MaskOnlySecrets(masker),
            Log = new NullStepLog(),
            Services = new ServiceCollection().BuildServiceProvider(),
        };
        IActivity activity = new ShellLocalActivity();

        var error = await Assert.ThrowsAsync<ShellCommandException>(() => activity.ExecuteAsync(context, CancellationToken.None));

        Assert.Equal("shell.local: [sh, -c, echo *** >&2; exit 2] exited with code 2 (expected 0); stderr: ***", error.Message);
        Assert.Equal("***", error.StderrTail);
    }

    private static Task<string> FirstStdoutLineAsync(BuiltinsHarness harness, string runId) =>
        Eventually.ValueAsync(async () => (await harness.LogAsync(runId, "stdout")).FirstOrDefault(), "the command prints a line", TimeSpan.FromSeconds(10));

    // A reaped process has no /proc entry; a zombie would still show "Z" in its stat.
    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && File.ReadAllText($"/proc/{pid}/stat").Split(' ')[2] != "Z";

    private sealed class MaskOnlySecrets(SecretMasker masker) : ISecretAccessor
    {
        public SecretMasker Masker => masker;

        public string Get(string name) => throw new KeyNotFoundException(name);
    }

    private sealed class NullStepLog : IStepLog
    {
        public void Info(string message, string? host = null)
        {
        }

        public void Warn(string message, string? host = null)
        {
        }

        public void Output(string line, string stream, string? host = null)
        {
        }

        public void Progress(int done, int total, int failed)
        {
        }
    }
}
