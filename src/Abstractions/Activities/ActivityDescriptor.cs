using System.Reflection;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Activities;

/// <summary>What the catalogue knows of an activity: name, description, input and output schemas, and how to make one.</summary>
public sealed record ActivityDescriptor(
    string Name,
    string Description,
    string? Example,
    ObjectShape Inputs,
    ObjectShape Outputs,
    bool Waits,
    Type ImplementationType)
{
    /// <summary>The provider part of the name: "lb" for "lb.flip".</summary>
    public string Provider => Name.Contains('.', StringComparison.Ordinal) ? Name[..Name.IndexOf('.', StringComparison.Ordinal)] : Name;

    /// <summary>Inputs (document names) that may read <c>{{ secrets.NAME }}</c>; see <see cref="SensitiveAttribute"/>.</summary>
    public IReadOnlySet<string> SensitiveInputs { get; init; } = new HashSet<string>();

    /// <summary>Inputs (document names) the activity renders per host; see <see cref="PerHostAttribute"/>.</summary>
    public IReadOnlySet<string> PerHostInputs { get; init; } = new HashSet<string>();

    /// <summary>Reads the declaration from an activity class's attribute and generic arguments.</summary>
    public static ActivityDescriptor FromType(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);

        var attribute = type.GetCustomAttribute<ActivityAttribute>()
            ?? throw new InvalidOperationException($"{type.FullName} implements IActivity but has no [Activity(\"name\")] attribute");
        var (inputs, outputs, waits) = GenericArguments(type);
        return new ActivityDescriptor(
            attribute.Name,
            attribute.Description,
            attribute.Example,
            (ObjectShape)TypeShape.Of(inputs),
            (ObjectShape)TypeShape.Of(outputs),
            waits,
            type)
        {
            SensitiveInputs = Marked<SensitiveAttribute>(inputs),
            PerHostInputs = Marked<PerHostAttribute>(inputs),
        };
    }

    private static HashSet<string> Marked<TAttribute>(Type inputs)
        where TAttribute : Attribute =>
        inputs
            .GetProperties()
            .Where(p => p.GetCustomAttribute<TAttribute>() is not null)
            .Select(p => Naming.Snake(p.Name))
            .ToHashSet(StringComparer.Ordinal);

    private static (Type Inputs, Type Outputs, bool Waits) GenericArguments(Type type)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (current.IsGenericType)
            {
                var definition = current.GetGenericTypeDefinition();
                if (definition == typeof(Activity<,>) || definition == typeof(WaitingActivity<,>))
                {
                    var args = current.GetGenericArguments();
                    return (args[0], args[1], definition == typeof(WaitingActivity<,>));
                }
            }
        }

        return (typeof(NoInputs), typeof(NoOutputs), false);
    }
}

/// <summary>For activities that take nothing.</summary>
public sealed class NoInputs;

/// <summary>For activities that return nothing.</summary>
public sealed class NoOutputs;
