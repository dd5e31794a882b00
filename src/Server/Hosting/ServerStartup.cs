using Gantry.Engine.Plugins;
using Gantry.Engine.Runtime;
using Gantry.Server.Telemetry;

namespace Gantry.Server.Hosting;

/// <summary>At start-up: logs the plugins that loaded and the ones that failed, imports the workspace's workflows, then resumes runs a previous
/// process left in flight.</summary>
internal sealed class ServerStartup(
    WorkflowImporter importer,
    WorkflowEngine engine,
    ServerContext context,
    PluginLoadReport plugins,
    ILogger<ServerStartup> logger
) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var plugin in plugins.Loaded)
        {
            ServerLog.PluginLoaded(logger, plugin.Name, plugin.Path, string.Join(", ", plugin.Activities));
        }

        foreach (var failure in plugins.Failures)
        {
            ServerLog.PluginFailed(logger, failure.Path, failure.Reason);
        }

        foreach (var (path, mode) in Engine.Stores.PrivateFiles.TooOpen(PrivateFilePaths()))
        {
            ServerLog.FileTooOpen(logger, path, Engine.Stores.PrivateFiles.Octal(mode));
        }

        if (context.Options.ImportWorkflows)
        {
            await importer.ImportAsync(cancellationToken).ConfigureAwait(false);
        }

        var recovered = await engine.RecoverAsync(cancellationToken).ConfigureAwait(false);
        ServerLog.Started(logger, context.Stores.Location, recovered);
    }

    /// <summary>The files that hold tokens, secrets or journals.</summary>
    private IEnumerable<string> PrivateFilePaths()
    {
        // Tokens live in the store now; a tokens.json an older Gantry left was imported and renamed, and still holds hashes.
        yield return Path.Combine(context.DataDirectory, Security.TokenStore.FileName + Engine.Stores.LegacySafetyFiles.ImportedSuffix);
        yield return Path.Combine(context.DataDirectory, Security.FirstAdminToken.FileName);
        if (context.Stores.Kind == Engine.Stores.StoreKind.Sqlite)
        {
            foreach (var suffix in new[] { "", "-wal", "-shm" })
            {
                yield return context.Stores.Location + suffix;
            }
        }
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
