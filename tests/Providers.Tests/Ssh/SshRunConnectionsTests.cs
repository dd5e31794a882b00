using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;
using Microsoft.Extensions.Time.Testing;

namespace Gantry.Providers.Tests.Ssh;

/// <summary>The run's pool bookkeeping (pools connect lazily, so no host is needed here; the real-sshd test is in DeployOverSshWorkflowTests).</summary>
public sealed class SshRunConnectionsTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Borrow_TwoStepsOfOneRun_ShareOnePoolAndOtherRunsGetTheirOwn()
    {
        using var connections = new SshRunConnections(_time);

        using var first = connections.Borrow("run-1", "prod", new Log(), Options);
        using var second = connections.Borrow("run-1", "prod", new Log(), Options);
        using var other = connections.Borrow("run-2", "prod", new Log(), Options);

        Assert.Same(first.Pool, second.Pool);
        Assert.NotSame(first.Pool, other.Pool);
        Assert.Equal(2, connections.OpenPools);
    }

    [Fact]
    public void RunFinished_WhileAStepStillBorrows_ClosesThePoolWhenItIsGivenBack()
    {
        using var connections = new SshRunConnections(_time);
        var borrowed = connections.Borrow("run-1", "prod", new Log(), Options);

        connections.OnEvent(Run("run-1"), new JournalEvent { Type = JournalEventTypes.RunFinished });
        Assert.Equal(1, connections.OpenPools);
        borrowed.Dispose();

        Assert.Equal(0, connections.OpenPools);
        Assert.Throws<ObjectDisposedException>(() => borrowed.Pool.GetAsync(new SshHost("web1", "127.0.0.2", "root"), CancellationToken.None).GetAwaiter().GetResult());
    }

    [Fact]
    public void IdleTimeout_PoolNobodyBorrows_IsClosedAndTheNextStepGetsANewOne()
    {
        using var connections = new SshRunConnections(_time);
        SshConnectionPool before;
        using (var borrowed = connections.Borrow("run-1", "prod", new Log(), Options))
        {
            before = borrowed.Pool;
        }

        _time.Advance(SshRunConnections.IdleTimeout);
        Assert.Equal(0, connections.OpenPools);

        using var after = connections.Borrow("run-1", "prod", new Log(), Options);
        Assert.NotSame(before, after.Pool);
    }

    [Fact]
    public async Task Output_TwoStepsOfOneRunOnTheirOwnFlows_EachLineGoesToTheStepThatBorrowed()
    {
        using var connections = new SshRunConnections(_time);
        Action<SshOutputLine>? output = null;
        SshConnectionOptions Capture(Action<SshOutputLine> route)
        {
            output = route;
            return Options(route);
        }

        var (a, b) = (new Log(), new Log());
        var stepA = Task.Run(() =>
        {
            using var borrowed = connections.Borrow("run-1", "prod", a, Capture);
            output!(new SshOutputLine("web1", SshStream.StandardOutput, "from a"));
        });
        await stepA;
        var stepB = Task.Run(() =>
        {
            using var borrowed = connections.Borrow("run-1", "prod", b, Capture);
            output!(new SshOutputLine("web2", SshStream.StandardError, "from b"));
        });
        await stepB;

        Assert.Equal([("from a", "stdout", "web1")], a.Lines);
        Assert.Equal([("from b", "stderr", "web2")], b.Lines);
    }

    private static SshConnectionOptions Options(Action<SshOutputLine> output) =>
        new() { KnownHostsPath = "/nonexistent/known_hosts", Credentials = new SshCredentials { Password = "unused" }, Output = output };

    private static RunRecord Run(string id) => new() { Id = id, WorkflowId = "w", Definitions = new Dictionary<string, string>(), Status = RunStatus.Succeeded };

    private sealed class Log : IStepLog
    {
        public ConcurrentQueue<(string Line, string Stream, string? Host)> Lines { get; } = new();

        public void Info(string message, string? host = null)
        {
        }

        public void Warn(string message, string? host = null)
        {
        }

        public void Output(string line, string stream, string? host = null) => Lines.Enqueue((line, stream, host));

        public void Progress(int done, int total, int failed)
        {
        }
    }
}
