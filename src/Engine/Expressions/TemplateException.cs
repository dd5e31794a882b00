using Gantry.Engine.Documents;

namespace Gantry.Engine.Expressions;

/// <summary>A template failed to parse or render; says where in the document and why.</summary>
public sealed class TemplateException(SourceLocation location, string reason)
    : Exception(location.Line == 0 ? $"template error: {reason}" : $"{location}: template error: {reason}")
{
    public SourceLocation Location { get; } = location;

    public string Reason { get; } = reason;
}
