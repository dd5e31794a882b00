using System.Collections.Concurrent;
using Gantry.Engine.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Activities;

/// <summary>The catalogue of activities by name, filled from every registered assembly.</summary>
public sealed class ActivityRegistry
{
    private readonly Dictionary<string, ActivityDescriptor> _byName;
    private readonly ConcurrentDictionary<Type, ObjectFactory> _factories = new();

    public ActivityRegistry(IEnumerable<ActivityRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);

        _byName = new Dictionary<string, ActivityDescriptor>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            // Registering the same assembly twice is harmless; two different classes with one name are not.
            if (_byName.TryGetValue(registration.Descriptor.Name, out var existing) && existing.ImplementationType != registration.Descriptor.ImplementationType)
            {
                throw new InvalidOperationException(
                    $"activity '{registration.Descriptor.Name}' is declared twice: by {existing.ImplementationType.FullName} and {registration.Descriptor.ImplementationType.FullName}");
            }

            _byName[registration.Descriptor.Name] = registration.Descriptor;
        }
    }

    public IReadOnlyCollection<ActivityDescriptor> All => _byName.Values.OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

    public IEnumerable<string> Names => _byName.Keys;

    public bool TryGet(string name, out ActivityDescriptor descriptor) => _byName.TryGetValue(name, out descriptor!);

    public ActivityDescriptor Get(string name) => _byName.TryGetValue(name, out var descriptor)
        ? descriptor
        : throw new KeyNotFoundException($"unknown activity '{name}'{Suggest.Hint(name, _byName.Keys)}");

    /// <summary>
    /// The activity registered as a service, else a new instance with its constructor's services.
    /// The constructor is looked up once per activity class: finding it on every step cost more than a no-op step.
    /// </summary>
    public IActivity Create(string name, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);

        var type = Get(name).ImplementationType;
        return (IActivity)(services.GetService(type) ?? _factories.GetOrAdd(type, t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes))(services, null));
    }
}

/// <summary>One activity class made known to the registry through DI.</summary>
public sealed record ActivityRegistration(ActivityDescriptor Descriptor);
