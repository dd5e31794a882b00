using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Plugins;
using Gantry.Engine.Validation;
using Gantry.Providers.LoadBalancers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gantry.Cli;

/// <summary>
/// The CLI's DI container: activities of the Engine and Providers assemblies, the plugins of the
/// plugins folder (with their <see cref="PluginLoadReport"/>), the validator and its analyzers.
/// </summary>
public static class CliServices
{
    /// <summary>The environment variable naming the plugins folder; <c>--plugins DIR</c> sets it for the process.</summary>
    public const string PluginsVariable = "GANTRY_PLUGINS";

    /// <param name="pluginsFolder">Where plugins are; default <c>GANTRY_PLUGINS</c>, else <c>plugins/</c> of the workspace.</param>
    public static IServiceCollection Create(string? pluginsFolder = null)
    {
        Infrastructure.StartupTrace.Mark("services start");
        var services = new ServiceCollection();
        services.AddActivitiesFrom(typeof(WorkflowValidator).Assembly);
        services.AddActivitiesFrom(typeof(LoadBalancerFactory).Assembly);
        Infrastructure.StartupTrace.Mark("activities");
        services.AddSingleton(PluginLoader.LoadInto(services, pluginsFolder ?? DefaultPluginsFolder()));
        services.TryAddSingleton<ActivityRegistry>();
        services.TryAddSingleton(TimeProvider.System);

        // gantry lb drives the products Gantry ships and those the plugins just loaded added.
        services.TryAddSingleton(sp => new LoadBalancerFactory(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetServices<LoadBalancerDriverRegistration>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkflowAnalyzer, CapacityAnalyzer>());
        services.TryAddSingleton(sp => new WorkflowValidator(sp.GetServices<IWorkflowAnalyzer>()));
        Infrastructure.StartupTrace.Mark("services");
        return services;
    }

    /// <summary><c>GANTRY_PLUGINS</c>, else <c>plugins/</c> next to the workspace's <c>workflows/</c>.</summary>
    public static string DefaultPluginsFolder() =>
        Environment.GetEnvironmentVariable(PluginsVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).Root, "plugins");
}
