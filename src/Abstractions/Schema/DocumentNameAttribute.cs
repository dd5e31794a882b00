namespace Gantry.Engine.Schema;

/// <summary>Overrides the snake_case name a property has in documents.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DocumentNameAttribute(string name) : Attribute
{
    public string Name { get; } = name;
}

/// <summary>Keeps a property out of documents and schemas.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DocumentIgnoreAttribute : Attribute;
