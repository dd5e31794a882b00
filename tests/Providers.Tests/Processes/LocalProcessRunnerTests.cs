using System.Collections.Concurrent;
using Gantry.Providers.Processes;

namespace Gantry.Providers.Tests.Processes;

public sealed class LocalProcessRunnerTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Run_Arguments_PassedVerbatimWithoutAShell()
    {
        var result = await LocalProcessRunner.RunAsync(new LocalProcess(["printf", "%s|", "a b", "$HOME", "it's", "*", "; rm -rf x"]), CancellationToken.None);

        Assert.Equal(new LocalProcessResult(0, "a b|$HOME|it's|*|; rm -rf x|", ""), result);
    }

    [Fact]
    public async Task Run_StdinClosed_AProgramReadingItEndsInsteadOfWaiting()
    {
        using var cancel = new CancellationTokenSource(Deadline);

        var result = await LocalProcessRunner.RunAsync(new LocalProcess(["sh", "-c", "read answer; echo \"got '$answer' exit $?\""]), cancel.Token);

        Assert.Equal("got '' exit 1\n", result.StandardOutput);
    }

    [Fact]
    public async Task Run_Lines_StreamedAsReadLineSplitsThem_TextKeptExactly()
    {
        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();

        var result = await LocalProcessRunner.RunAsync(
            new LocalProcess(["sh", "-c", "printf 'a\\r\\nb\\rc\\n\\nlast'; printf 'oops\\n' >&2; exit 3"]) { OnOutputLine = lines.Enqueue, OnErrorLine = errors.Enqueue },
            CancellationToken.None);

        Assert.Equal(["a", "b", "c", "", "last"], lines);
        Assert.Equal(["oops"], errors);
        Assert.Equal(new LocalProcessResult(3, "a\r\nb\rc\n\nlast", "oops\n"), result);
    }

    [Fact]
    public async Task Run_OutputOverTheLimit_KeepsTheTailFromALineStart()
    {
        var result = await LocalProcessRunner.RunAsync(
            new LocalProcess(["sh", "-c", "i=0; while [ $i -lt 5000 ]; do echo line$i; i=$((i+1)); done"]) { OutputLimit = 1000 },
            CancellationToken.None);

        Assert.True(result.Truncated);
        Assert.InRange(result.StandardOutput.Length, 900, 1000);
        Assert.StartsWith("line", result.StandardOutput, StringComparison.Ordinal);
        Assert.EndsWith("line4998\nline4999\n", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_EnvironmentAndWorkingDirectory_Applied_LaterEntryWins()
    {
        var folder = Directory.CreateTempSubdirectory("gantry-process-").FullName;
        try
        {
            var result = await LocalProcessRunner.RunAsync(
                new LocalProcess(["sh", "-c", "echo \"$GANTRY_TEST_VALUE in $(pwd)\""])
                {
                    WorkingDirectory = folder,
                    Environment = [new("GANTRY_TEST_VALUE", "first"), new("GANTRY_TEST_VALUE", "second")],
                },
                CancellationToken.None);

            Assert.Equal($"second in {folder}\n", result.StandardOutput);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Run_MissingProgram_ThrowsWithTheSecretInItsPathMasked()
    {
        var error = await Assert.ThrowsAsync<LocalProcessStartException>(() => LocalProcessRunner.RunAsync(
            new LocalProcess(["/nonexistent/tok3n-42/tool", "--help"]) { Mask = text => text.Replace("tok3n-42", "***", StringComparison.Ordinal) },
            CancellationToken.None));

        Assert.Equal("/nonexistent/***/tool", error.Program);
        Assert.DoesNotContain("tok3n-42", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("tok3n-42", error.Reason, StringComparison.Ordinal);
        Assert.Contains("No such file or directory", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_KillsTheProcessAndItsChildren()
    {
        // The child prints the pid of a grandchild it started, then waits for it: the cancel comes once
        // that pid is known, so the grandchild certainly exists when the tree is killed.
        using var cancel = new CancellationTokenSource();
        var grandchild = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = LocalProcessRunner.RunAsync(
            new LocalProcess(["sh", "-c", "sleep 300 & echo $!; wait"])
            {
                OnOutputLine = line =>
                {
                    grandchild.TrySetResult(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
                    cancel.Cancel();
                },
            },
            cancel.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.WaitAsync(Deadline));
        var pid = await grandchild.Task.WaitAsync(Deadline);

        var until = DateTime.UtcNow + Deadline;
        while (IsRunning(pid) && DateTime.UtcNow < until)
        {
            await Task.Delay(50);
        }

        Assert.False(IsRunning(pid), $"sleep (pid {pid}) still runs after the cancel");
    }

    /// <summary>Alive and not a zombie (a killed process whose parent is gone waits for init to reap it).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false;
        }
    }
}
