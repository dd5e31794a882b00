using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Hosting;

/// <summary>Prunes finished runs older than the server's retention, at start and hourly; does nothing when retention is off.</summary>
internal sealed class RetentionService(
    ServerContext context,
    TimeProvider time,
    ILogger<RetentionService> logger,
    ILogger<RetentionPruner> prunerLogger
) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (context.Options.Retention is not { } keep)
        {
            return Task.CompletedTask;
        }

        var pruner = new RetentionPruner(context.Stores.Retention, keep, time, prunerLogger)
        {
            Pruned = (count, cutoff) => ServerLog.RunsPruned(logger, count, cutoff),
        };
        return pruner.RunAsync(stoppingToken);
    }
}
