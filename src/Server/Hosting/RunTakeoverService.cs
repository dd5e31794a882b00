using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Hosting;

/// <summary>
/// The server as one node among the processes sharing its store: every poll it fires due timers and claims
/// the runs nobody executes (queued, woken by a signal journaled elsewhere, or left running by a process
/// that died once its lease expired), and executes them under leases through the server's engine.
/// </summary>
internal sealed class RunTakeoverService(
    WorkflowEngine engine,
    EngineOptions engineOptions,
    ServerContext context,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<RunTakeoverService> logger
) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Claiming stops as soon as a stop begins, before the grace for the runs already executing (RunHandBack).
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, lifetime.ApplicationStopping);
        var worker = new RunWorker(engine, context.Stores.Leases, new RunWorkerOptions
        {
            NodeId = engineOptions.NodeId,
            Lease = context.Options.Lease,
            PollInterval = context.Options.PollInterval,
        }, time)
        {
            Log = line => ServerLog.Worker(logger, line),
        };
        await worker.RunAsync(stopping.Token).ConfigureAwait(false);
    }
}
