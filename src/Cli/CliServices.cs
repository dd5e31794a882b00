using Gantry.Engine.Activities;
using Gantry.Engine.Validation;
using Gantry.Providers.LoadBalancers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gantry.Cli;

/// <summary>The CLI's DI container: activities of the Engine and Providers assemblies, the validator and its analyzers.</summary>
public static class CliServices
{
    public static IServiceCollection Create()
    {
        var services = new ServiceCollection();
        services.AddActivitiesFrom(typeof(ActivityRegistry).Assembly);
        services.AddActivitiesFrom(typeof(ILoadBalancerDriver).Assembly);
        services.TryAddSingleton<ActivityRegistry>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkflowAnalyzer, CapacityAnalyzer>());
        services.TryAddSingleton(sp => new WorkflowValidator(sp.GetServices<IWorkflowAnalyzer>()));
        return services;
    }
}
