using System.Reflection;
using Gantry.Engine.Activities;
using Microsoft.Extensions.DependencyInjection.Extensions;

// Extension methods live in the DI namespace so they show up wherever services are configured.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers activities; every method is harmless when repeated.</summary>
public static class ActivityServiceCollectionExtensions
{
    /// <summary>Adds one activity class.</summary>
    public static IServiceCollection AddActivity<TActivity>(this IServiceCollection services)
        where TActivity : class, IActivity => services.AddActivity(typeof(TActivity));

    /// <summary>Adds one activity class by type.</summary>
    public static IServiceCollection AddActivity(this IServiceCollection services, Type activityType)
    {
        services.TryAddSingleton<ActivityRegistry>();
        if (!services.Any(d => d.ServiceType == typeof(ActivityRegistration) && d.ImplementationInstance is ActivityRegistration r && r.Descriptor.ImplementationType == activityType))
        {
            services.AddSingleton(new ActivityRegistration(ActivityDescriptor.FromType(activityType)));
        }

        services.TryAddTransient(activityType);
        return services;
    }

    /// <summary>Adds every non-abstract class with <see cref="ActivityAttribute"/> in an assembly (a provider or plugin).</summary>
    public static IServiceCollection AddActivitiesFrom(this IServiceCollection services, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);

        foreach (var type in assembly.GetTypes().Where(t => !t.IsAbstract && typeof(IActivity).IsAssignableFrom(t) && t.IsDefined(typeof(ActivityAttribute), false)))
        {
            services.AddActivity(type);
        }

        return services;
    }
}
