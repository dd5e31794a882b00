using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Hosting;

/// <summary>
/// The server's graceful stop (SIGTERM, Ctrl+C). As the stop begins, the takeover poller and the
/// scheduler stop claiming (they watch ApplicationStopping); this waits up to
/// <see cref="GantryServerOptions.StopGrace"/> for the runs executing here to finish or reach a wait, then
/// hands the others back (<see cref="WorkflowEngine.HandBackRuns"/>): each stops at its last journaled step
/// and its lease is released, so another node or the next start resumes it at once.
/// </summary>
internal sealed class RunHandBack(WorkflowEngine engine, ServerContext context, TimeProvider time, ILogger<RunHandBack> logger)
    : IHostedLifecycleService
{
    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        var grace = context.Options.StopGrace;
        try
        {
            await engine.WhenIdleAsync(cancellationToken).WaitAsync(grace, time, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (TimeoutException)
        {
            ServerLog.HandingBack(logger, Engine.Schema.Duration.Format(grace));
        }
        catch (OperationCanceledException)
        {
            // The host's shutdown timeout: hand back what still runs.
        }

        engine.HandBackRuns();
        try
        {
            await engine.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Runs still executing are journaled; the next start resumes them.
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
