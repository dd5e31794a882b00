using Gantry.Engine.Documents;

namespace Gantry.Engine.Diagnostics;

/// <summary>One problem found in a document: where (file:line:column and field path) and what was expected.</summary>
public sealed record Diagnostic(SourceLocation Location, string Path, string Message)
{
    public override string ToString()
    {
        var where = Location.Line == 0 ? Location.File : Location.ToString();
        var prefix = string.IsNullOrEmpty(where) ? "" : where + " ";
        return string.IsNullOrEmpty(Path) ? $"{prefix}{Message}" : $"{prefix}{Path}: {Message}";
    }
}
