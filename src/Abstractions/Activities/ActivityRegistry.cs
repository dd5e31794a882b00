using System.Collections.Concurrent;
using Gantry.Engine.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Activities;

/// <summary>The catalogue of activities by name, filled from every registered assembly.</summary>
public sealed class ActivityRegistry
{
    // By name; a descriptor (its input and output shapes, by reflection) is built when first asked for:
    // a command start-up that runs one workflow uses a few of the activities, not all of them.
    private readonly Dictionary<string, ActivityRegistration> _byName;
    private readonly ConcurrentDictionary<Type, ObjectFactory> _factories = new();

    public ActivityRegistry(IEnumerable<ActivityRegistration> registrations)
    {
        ArgumentNullException.ThrowIfNull(registrations);

        _byName = new Dictionary<string, ActivityRegistration>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            // Registering the same assembly twice is harmless; two different classes with one name are not.
            if (_byName.TryGetValue(registration.Name, out var existing) && existing.ImplementationType != registration.ImplementationType)
            {
                throw new InvalidOperationException(
                    $"activity '{registration.Name}' is declared twice: by {existing.ImplementationType.FullName} and "
                    + $"{registration.ImplementationType.FullName}");
            }

            _byName[registration.Name] = registration;
        }
    }

    public IReadOnlyCollection<ActivityDescriptor> All =>
        _byName.Values.Select(r => r.Descriptor).OrderBy(d => d.Name, StringComparer.Ordinal).ToList();

    public IEnumerable<string> Names => _byName.Keys;

    public bool TryGet(string name, out ActivityDescriptor descriptor)
    {
        var found = _byName.TryGetValue(name, out var registration);
        descriptor = found ? registration!.Descriptor : null!;
        return found;
    }

    public ActivityDescriptor Get(string name) => _byName.TryGetValue(name, out var registration)
        ? registration.Descriptor
        : throw new KeyNotFoundException($"unknown activity '{name}'{Suggest.Hint(name, _byName.Keys)}");

    /// <summary>
    /// The activity registered as a service, else a new instance with its constructor's services.
    /// The constructor is looked up once per activity class: finding it on every step cost more than a no-op step.
    /// </summary>
    public IActivity Create(string name, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);

        var type = Get(name).ImplementationType;
        return (IActivity)(
            services.GetService(type) ?? _factories.GetOrAdd(type, t => ActivatorUtilities.CreateFactory(t, Type.EmptyTypes))(services, null));
    }
}

/// <summary>One activity class made known to the registry through DI.</summary>
public sealed record ActivityRegistration
{
    private readonly Lazy<ActivityDescriptor> _descriptor;

    /// <summary>A registration of a descriptor built already.</summary>
    public ActivityRegistration(ActivityDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        (Name, ImplementationType, _descriptor) = (descriptor.Name, descriptor.ImplementationType, new Lazy<ActivityDescriptor>(descriptor));
    }

    /// <summary>A registration whose descriptor is built on first use (once per process: <paramref name="descriptor"/> is shared).</summary>
    internal ActivityRegistration(string name, Type implementationType, Lazy<ActivityDescriptor> descriptor) =>
        (Name, ImplementationType, _descriptor) = (name, implementationType, descriptor);

    /// <summary>The activity's name (its <see cref="ActivityAttribute"/>).</summary>
    public string Name { get; }

    /// <summary>The activity class.</summary>
    public Type ImplementationType { get; }

    /// <summary>The activity's descriptor, built by reflection when first read.</summary>
    public ActivityDescriptor Descriptor => _descriptor.Value;
}
