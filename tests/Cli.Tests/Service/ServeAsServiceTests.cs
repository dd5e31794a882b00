using System.Net.Sockets;
using Gantry.Cli.Tests.Durable;
using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Service;

/// <summary>
/// <c>gantry serve</c> and <c>gantry worker</c> started as the units in deploy/systemd start them (NOTIFY_SOCKET,
/// JOURNAL_STREAM, SIGTERM to stop), without systemd: the real binary, a real notify socket, a real store.
/// </summary>
public sealed class ServeAsServiceTests : IAsyncLifetime
{
    private static readonly TimeSpan StartBound = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopBound = TimeSpan.FromSeconds(30);

    /// <summary>A 1 s grace, the hand-back and the exit: far below the host's own limit (grace + 15 s) and the step's ten minutes.</summary>
    private static readonly TimeSpan HandBackBound = TimeSpan.FromSeconds(12);
    private readonly NotifySocket _notify = new();
    private DurableWorkspace _workspace = null!;

    public async Task InitializeAsync()
    {
        _workspace = await DurableWorkspace.CreateAsync();

        // A step that takes a while, then a wait for a signal. Run again after it was cut off, it notes that and ends at once.
        _workspace.Write("workflows/hold.yaml", """
            id: hold
            inputs:
              seconds: { type: string, default: "2" }
            steps:
              - id: work
                uses: shell.local
                with:
                  command: [sh, -c, "if [ -f work.log ]; then echo again >> work.log; exit 0; fi; echo started >> work.log; sleep {{ inputs.seconds }}"]
              - id: go
                uses: wait
                with: { signal: go }
            """);
    }

    public async Task DisposeAsync()
    {
        _notify.Dispose();
        await _workspace.DisposeAsync();
    }

    [Fact]
    public async Task Serve_UnderSystemd_ReadyOnceThePortAnswers_SigtermLetsTheRunReachItsWaitAndExitsZero()
    {
        var port = FreePort();
        using var serve = Serve(port, "--stop-grace", "20s");

        var ready = await _notify.WaitForAsync("READY=1", StartBound, () => serve.Output);

        // READY=1 means "answering": the port must take a connection now, without a retry.
        using (var client = new TcpClient())
        {
            await client.ConnectAsync("127.0.0.1", port);
        }

        Assert.Contains($"MAINPID={serve.Id}", ready.Split('\n'));
        Assert.Contains($"STATUS=serving on http://127.0.0.1:{port}", ready.Split('\n'));
        Assert.Equal("READY=1", _notify.Received[0].Split('\n')[0]);

        var runId = await StartDetachedAsync("seconds=3");
        await WaitForWorkStartedAsync(serve);
        serve.Terminate();

        var stopping = await _notify.WaitForAsync("STOPPING=1", StopBound, () => serve.Output);
        var (exitCode, took) = await serve.WaitForExitAsync(StopBound);

        Assert.True(exitCode == 0, $"exit {exitCode}; output:\n{serve.Output}");
        Assert.Contains("STATUS=stopping: runs get 20s to finish or reach a wait", stopping.Split('\n'));
        var run = await _workspace.Runs.GetRunAsync(runId, CancellationToken.None);
        Assert.Equal(RunStatus.Waiting, run!.Status);
        Assert.Null(run.LeaseOwner);
        // Journald-friendly: no ANSI anywhere, and the host's logs carry the syslog priority prefix.
        Assert.DoesNotContain('\u001b', serve.Output);
        Assert.Contains(serve.Output.Split('\n'), l => l[13..].StartsWith("<6>", StringComparison.Ordinal) && l.Contains("Gantry server started", StringComparison.Ordinal));

        // The waiting run stays resumable: the signal finishes it.
        var signal = await _workspace.RunAsync("runs", "signal", runId, "go");
        Assert.True(signal.ExitCode == 0, signal.Output);
        Assert.Equal(RunStatus.Succeeded, (await _workspace.Runs.GetRunAsync(runId, CancellationToken.None))!.Status);
        Assert.Equal(["started"], File.ReadAllLines(Path.Combine(_workspace.Root, "work.log")));
        Assert.True(took < StopBound, $"took {took}");
    }

    [Fact]
    public async Task Serve_SigtermWhileAStepOutlastsTheGrace_HandsTheRunBackAndASecondServeFinishesItOnce()
    {
        using var serve = Serve(FreePort(), "--stop-grace", "1s");
        await _notify.WaitForAsync("READY=1", StartBound, () => serve.Output);
        var runId = await StartDetachedAsync("seconds=600");
        // The step sleeps for ten minutes once work.log exists: the stop certainly finds it mid-step.
        await WaitForWorkStartedAsync(serve);

        serve.Terminate();
        var (exitCode, took) = await serve.WaitForExitAsync(StopBound);

        Assert.True(exitCode == 0, $"exit {exitCode}; output:\n{serve.Output}");
        Assert.True(took < HandBackBound, $"took {took}: the 1s grace and the hand-back should end well within {HandBackBound}; output:\n{serve.Output}");
        var lines = serve.Output.Split('\n').Select(l => l[13..]).ToList();
        Assert.Contains(lines, l => l.StartsWith("<4>", StringComparison.Ordinal) && l.Contains("runs still executing after the 1s grace are handed back", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"handed back run {runId} at its last journaled step", StringComparison.Ordinal));
        var handedBack = await _workspace.Runs.GetRunAsync(runId, CancellationToken.None);
        Assert.Equal(RunStatus.Running, handedBack!.Status);
        // Released, not left to expire: the lease is 30 s, and nobody holds the run now.
        Assert.Null(handedBack.LeaseOwner);

        // A second server claims it on its first poll, runs the cut-off step again and reaches the wait.
        using var second = Serve(FreePort(), "--stop-grace", "20s");
        await _notify.WaitForAsync("READY=1", StartBound, () => second.Output);
        await DurableWorkspace.WaitForAsync(async () => (await _workspace.Runs.GetRunAsync(runId, CancellationToken.None))!.Status == RunStatus.Waiting, StartBound, () => "the second server to resume the run to its wait; output:\n" + second.Output);
        var signal = await _workspace.RunAsync("runs", "signal", runId, "go");
        Assert.True(signal.ExitCode == 0, signal.Output);
        await DurableWorkspace.WaitForAsync(async () => (await _workspace.Runs.GetRunAsync(runId, CancellationToken.None))!.Status == RunStatus.Succeeded, StartBound, () => "the run to succeed; output:\n" + second.Output);

        var journal = await _workspace.JournalAsync(runId);
        Assert.Equal(["work", "go"], journal.Where(e => e.Type == JournalEventTypes.StepSucceeded).Select(e => e.StepId));
        Assert.Single(journal, e => e.Type == JournalEventTypes.RunFinished);
        Assert.Equal(["started", "again"], File.ReadAllLines(Path.Combine(_workspace.Root, "work.log")));
        second.Terminate();
        Assert.Equal(0, (await second.WaitForExitAsync(StopBound)).ExitCode);
    }

    [Fact]
    public async Task Worker_UnderSystemd_ReadyThenSigtermHandsTheRunBackAndExitsZero()
    {
        using var worker = ServiceProcess.Start(_workspace.Root, _notify.Path, new Dictionary<string, string> { ["GANTRY_LEASE"] = "30s" }, "worker", "--db", _workspace.Db, "--node-id", "unit-node", "--poll", "200ms", "--stop-grace", "1s");
        var ready = await _notify.WaitForAsync("READY=1", StartBound, () => worker.Output);
        Assert.Contains("STATUS=node unit-node claiming runs", ready.Split('\n'));
        var runId = await StartDetachedAsync("seconds=120");
        await WaitForWorkStartedAsync(worker);

        worker.Terminate();
        await _notify.WaitForAsync("STOPPING=1", StopBound, () => worker.Output);
        var (exitCode, _) = await worker.WaitForExitAsync(StopBound);

        Assert.True(exitCode == 0, $"exit {exitCode}; output:\n{worker.Output}");
        var lines = worker.Output.Split('\n').Select(l => l[13..]).ToList();
        Assert.Contains($"<6>handed back run {runId} at its last journaled step (this node is stopping); its lease is released, so another node or the next start resumes it", lines);
        Assert.Contains("<6>node unit-node stopped", lines);
        Assert.DoesNotContain('\u001b', worker.Output);
        var run = await _workspace.Runs.GetRunAsync(runId, CancellationToken.None);
        Assert.Equal(RunStatus.Running, run!.Status);
        Assert.Null(run.LeaseOwner);
    }

    private ServiceProcess Serve(int port, params string[] args) =>
        ServiceProcess.Start(_workspace.Root, _notify.Path, new Dictionary<string, string> { ["GANTRY_LEASE"] = "30s" }, ["serve", "--urls", $"http://127.0.0.1:{port}", "--db", _workspace.Db, .. args]);

    /// <summary>Creates the run without executing it (the service claims it), like a run started elsewhere.</summary>
    private async Task<string> StartDetachedAsync(string input)
    {
        var created = await _workspace.RunAsync("run", "hold", "--detach", "--input", input);
        Assert.True(created.ExitCode == 0, created.Output);
        return created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim();
    }

    private Task WaitForWorkStartedAsync(ServiceProcess service) =>
        DurableWorkspace.WaitForAsync(() => Task.FromResult(File.Exists(Path.Combine(_workspace.Root, "work.log"))), StartBound, () => "the service to claim the run and start its step; output:\n" + service.Output);

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
