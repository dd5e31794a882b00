using Gantry.Providers.Deploy;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Ssh;
using Gantry.Providers.Status;
using Gantry.Engine.Runtime;
using Gantry.Engine.Validation;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Gantry's providers: git, load balancers, deploys, HTTP checks, shell and files.</summary>
public static class ProvidersServiceCollectionExtensions
{
    public static IServiceCollection AddGantryProviders(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        // A process on a durable store registers the store's quarantine first; this is the in-memory one of a storeless engine.
        services.TryAddSingleton<Gantry.Engine.Stores.IHostQuarantine, Gantry.Engine.Stores.InMemoryHostQuarantine>();

        // The built-in products, then every AddLoadBalancer (a plugin's fourth product) made before or after this call.
        services.TryAddSingleton(sp => new LoadBalancerFactory(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetServices<LoadBalancerDriverRegistration>()));
        services.TryAddSingleton<TargetResolver>();
        services.TryAddSingleton(sp => new SshRunConnections(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<IJournalObserver>(sp => sp.GetRequiredService<SshRunConnections>());
        services.TryAddSingleton(sp => new SshFleetDeployerMarker(_ => new SshFleetDeployer(
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<SshRunConnections>())));
        services.TryAddSingleton(sp => new FleetDeployerFactory(sp.GetRequiredService<TimeProvider>(), sp));
        services.TryAddSingleton(sp => new FleetStatusReader(
            sp.GetRequiredService<LoadBalancerFactory>(),
            sp.GetRequiredService<FleetDeployerFactory>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Gantry.Engine.Stores.IHostQuarantine>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkflowAnalyzer, CapacityAnalyzer>());
        services.AddActivitiesFrom(typeof(LoadBalancerFactory).Assembly);
        return services;
    }
}
