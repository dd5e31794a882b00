namespace Gantry.Engine.Activities;

/// <summary>Names an activity class as workflows write it in <c>uses:</c>, e.g. <c>[Activity("lb.flip")]</c>.</summary>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
public sealed class ActivityAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    /// <summary>One sentence for the catalogue, the designer and the docs.</summary>
    public string Description { get; init; } = "";

    /// <summary>A YAML example of the step, shown in the docs and the designer.</summary>
    public string? Example { get; init; }
}
