using System.Text.Json.Serialization;
using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Plugins;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Engine.Validation;
using Gantry.Providers.LoadBalancers;
using Gantry.Server.Apis;
using Gantry.Server.Definitions;
using Gantry.Server.Hosting;
using Gantry.Server.Hosting.Systemd;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Gantry.Server.Telemetry;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Scalar.AspNetCore;

namespace Gantry.Server;

/// <summary>
/// Builds and runs the Gantry server: the HTTP API over the durable store, the engine running
/// workflows in the background, webhooks and telemetry. The CLI's <c>gantry serve</c> and the
/// tests both start it through here.
/// </summary>
public static class GantryServer
{
    /// <summary>Opens the store and builds the app (not started). Dispose the app to close the store.</summary>
    public static async Task<WebApplication> BuildAppAsync(GantryServerOptions options, CancellationToken cancellationToken)
    {
        var catalog = options.WorkspaceRoot is { } root ? new WorkspaceCatalog(root) : WorkspaceCatalog.Discover(Directory.GetCurrentDirectory());
        var dataDirectory = Path.GetFullPath(options.DataDirectory ?? Path.Combine(catalog.Root, ".gantry"));
        Directory.CreateDirectory(dataDirectory);
        if (!OperatingSystem.IsWindows())
        {
            // The data folder holds tokens, keys and journals: only its owner may list or enter it.
            File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var db = options.Db ?? Environment.GetEnvironmentVariable("GANTRY_DB") ?? Path.Combine(dataDirectory, "gantry.db");
        var imports = new List<string>();
        var stores = await LegacySafetyFiles
            .OpenStoreAsync(db, catalog.Root, dataDirectory, TimeProvider.System, imports.Add, cancellationToken)
            .ConfigureAwait(false);

        var builder = WebApplication.CreateBuilder(
            new WebApplicationOptions
            {
                Args = ServerHostDefaults.HostArguments,
                EnvironmentName = Environments.Production,
                ContentRootPath = catalog.Root,
                WebRootPath = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
            });
        builder.WebHost.UseKestrel(k => k.Limits.MaxRequestBodySize = options.MaxRequestBodySize);
        builder.WebHost.UseUrls(options.Urls);
        ServerHostDefaults.AddQuietRequestLogging(builder.Configuration);
        JournalLogging.Configure(builder.Logging);
        // The stop waits StopGrace for runs, then hands the rest back: the host must allow for both.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.StopGrace + TimeSpan.FromSeconds(15));

        var services = builder.Services;
        var context = new ServerContext(options, catalog, dataDirectory, stores);
        services.AddSingleton(context);
        services.AddSingleton(stores.Runs);
        services.AddSingleton(stores.Definitions);
        services.AddSingleton(stores.Quarantine);
        services.AddSingleton(stores.Tokens);
        services.AddSingleton(sp => new TokenStore(stores.Tokens, sp.GetService<TimeProvider>()));
        services.AddSingleton<RunEventNotifier>();
        services.AddSingleton<IJournalObserver>(sp => sp.GetRequiredService<RunEventNotifier>());
        services.AddSingleton<IJournalObserver, TelemetryObserver>();
        services
            .AddGantryEngine(o =>
            {
                o.DataDirectory = dataDirectory;
                o.Lease = options.Lease;
            })
            .AddGantryProviders();
        var pluginsFolder = options.PluginsFolder
            ?? (
                Environment.GetEnvironmentVariable("GANTRY_PLUGINS") is { Length: > 0 } fromEnvironment
                    ? fromEnvironment
                    : Path.Combine(catalog.Root, "plugins"));
        services.AddSingleton(PluginLoader.LoadInto(services, pluginsFolder));
        services.TryAddSingleton(sp => new WorkflowValidator(sp.GetServices<IWorkflowAnalyzer>()));
        services.AddSingleton<DefinitionCache>();
        services.AddSingleton<DefinitionChecker>();
        services.AddSingleton<EnvironmentFiles>();
        services.AddSingleton<RunLauncher>();
        services.AddSingleton(sp => new WebhookReplayGuard(context, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.AddSingleton<WorkflowImporter>();
        services.AddHostedService<ServerStartup>();
        services.AddHostedService<RunTakeoverService>();
        services.AddHostedService<RetentionService>();
        services.AddHostedService<ScheduleService>();
        services.AddHostedService<RunHandBack>();
        services.AddSingleton(new ServiceNotifier());
        services.AddHostedService<ServiceNotifications>();

        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase));
            o.SerializerOptions.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        });
        // Authentication brings data protection; its keys stay in the data folder, not the user's profile.
        services.AddDataProtection().PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDirectory, "keys")));
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddAuthentication(BearerTokenHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        services.AddAuthorization(o => Policies.Add(o, options.AllowAnonymousRead));
        services.AddOpenApi();
        services.AddGantryTelemetry(builder.Configuration);
        options.ConfigureServices?.Invoke(services);

        var app = builder.Build();
        foreach (var line in imports)
        {
            ServerLog.SafetyFileImported(app.Logger, line);
        }

        app.Lifetime.ApplicationStopped.Register(() => stores.DisposeAsync().AsTask().GetAwaiter().GetResult());
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        // The designer (src/Designer, built into wwwroot) is public static content; its API calls carry tokens.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();

        // Every endpoint states who may call it (AuthSweepTests enumerates them): the API description is public.
        app.MapOpenApi().AllowAnonymous();
        // The interactive reference is as public as the document it renders; calls made from it carry tokens.
        app.MapScalarApiReference("/scalar", o => o.WithTitle("Gantry API").WithOpenApiRoutePattern("/openapi/{documentName}.json")).AllowAnonymous();
        app.MapHealthApi();
        // Scraped without a token: counts and durations by workflow and status, no inputs or outputs.
        app.MapPrometheusScrapingEndpoint("/metrics").AllowAnonymous();
        var api = app.MapGroup("/api");
        api.MapDefinitionsApi();
        api.MapRunsApi();
        api.MapRunRecoveryApi();
        api.MapEnvironmentsApi();
        api.MapActivitiesApi();
        api.MapPluginsApi();
        api.MapHooksApi();
        api.MapTriggersApi();
        api.MapMeApi();
        api.MapTokensApi();
        return app;
    }

    /// <summary>Builds the app and serves until <paramref name="cancellationToken"/> is cancelled or the host is stopped.</summary>
    public static async Task RunAsync(GantryServerOptions options, CancellationToken cancellationToken)
    {
        var app = await BuildAppAsync(options, cancellationToken).ConfigureAwait(false);
        await using (app.ConfigureAwait(false))
        {
            await app.RunAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
