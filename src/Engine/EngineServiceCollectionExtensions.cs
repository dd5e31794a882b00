using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the engine: the activity registry, built-in activities, the run store and the engine itself.</summary>
public static class EngineServiceCollectionExtensions
{
    public static IServiceCollection AddGantryEngine(this IServiceCollection services, Action<EngineOptions>? configure = null)
    {
        var options = new EngineOptions();
        configure?.Invoke(options);
        services.TryAddSingleton(options);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IRunStore, InMemoryRunStore>();
        // Beside the in-memory run store; a process on a durable store registers the store's own (StoreSet.Quarantine).
        services.TryAddSingleton<Gantry.Engine.Stores.IHostQuarantine, Gantry.Engine.Stores.InMemoryHostQuarantine>();
        services.TryAddSingleton<ActivityRegistry>();
        services.TryAddSingleton(sp => new WorkflowEngine(
            sp.GetRequiredService<IRunStore>(),
            sp.GetRequiredService<ActivityRegistry>(),
            sp,
            sp.GetRequiredService<EngineOptions>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetServices<IJournalObserver>(),
            sp.GetService<Microsoft.Extensions.Logging.ILogger<WorkflowEngine>>()));
        services.AddActivitiesFrom(typeof(WorkflowEngine).Assembly);
        return services;
    }
}
