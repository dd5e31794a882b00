using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Hosting;

/// <summary>At start-up: imports the workspace's workflows, then resumes runs a previous process left in flight.</summary>
internal sealed class ServerStartup(WorkflowImporter importer, WorkflowEngine engine, ServerContext context, ILogger<ServerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        engine.ObserverFailed = ex => ServerLog.BackgroundFailed(logger, ex.Message);
        if (context.Options.ImportWorkflows)
        {
            await importer.ImportAsync(cancellationToken).ConfigureAwait(false);
        }

        var recovered = await engine.RecoverAsync(cancellationToken).ConfigureAwait(false);
        ServerLog.Started(logger, context.Stores.Location, recovered);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await engine.WhenIdleAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Runs still executing are journaled; the next start resumes them.
        }
    }
}
