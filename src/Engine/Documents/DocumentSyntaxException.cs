namespace Gantry.Engine.Documents;

/// <summary>The text is not well-formed YAML or JSON.</summary>
public sealed class DocumentSyntaxException(SourceLocation location, string message)
    : Exception($"{location}: {message}")
{
    public SourceLocation Location { get; } = location;

    public string Reason { get; } = message;
}
