using System.Collections.Concurrent;
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
        if (!services.Any(d =>
                d.ServiceType == typeof(ActivityRegistration)
                && d.ImplementationInstance is ActivityRegistration r
                && r.ImplementationType == activityType))
        {
            services.AddSingleton(Registration(activityType));
        }

        services.TryAddTransient(activityType);
        return services;
    }

    /// <summary>
    /// Adds every non-abstract class with <see cref="ActivityAttribute"/> in an assembly (a provider or plugin).
    /// The scan runs once per assembly and process: a command builds the services of its own container and
    /// the engine's from the same assemblies.
    /// </summary>
    public static IServiceCollection AddActivitiesFrom(this IServiceCollection services, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);

        foreach (var type in ScannedAssemblies.GetOrAdd(assembly, static a =>
                a.GetTypes()
                    .Where(t => !t.IsAbstract && typeof(IActivity).IsAssignableFrom(t) && t.IsDefined(typeof(ActivityAttribute), false))
                    .ToArray()))
        {
            services.AddActivity(type);
        }

        return services;
    }

    private static readonly ConcurrentDictionary<Assembly, Type[]> ScannedAssemblies = new();

    private static readonly ConcurrentDictionary<Type, ActivityRegistration> Registrations = new();

    /// <summary>
    /// The class's registration, made once per process; its descriptor (input and output shapes, by
    /// reflection) is built on first use, not at start-up. A class without the attribute fails here, as before.
    /// </summary>
    private static ActivityRegistration Registration(Type activityType) => Registrations.GetOrAdd(activityType, static type =>
        type.GetCustomAttribute<ActivityAttribute>() is { } attribute
            ? new ActivityRegistration(attribute.Name, type, new Lazy<ActivityDescriptor>(() => ActivityDescriptor.FromType(type)))
            : new ActivityRegistration(ActivityDescriptor.FromType(type)));
}
