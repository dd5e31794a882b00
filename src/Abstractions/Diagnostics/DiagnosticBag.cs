using Gantry.Engine.Documents;

namespace Gantry.Engine.Diagnostics;

/// <summary>Collects every problem so all of them are reported at once, in document order.</summary>
public sealed class DiagnosticBag
{
    private readonly List<Diagnostic> _items = [];

    public bool HasErrors => _items.Count > 0;

    public IReadOnlyList<Diagnostic> Items => _items
        .OrderBy(d => d.Location.File, StringComparer.Ordinal)
        .ThenBy(d => d.Location.Line)
        .ThenBy(d => d.Location.Column)
        .ToList();

    public void Add(SourceLocation location, string path, string message) => _items.Add(new Diagnostic(location, path, message));

    public void Add(DocNode node, string path, string message)
    {
        ArgumentNullException.ThrowIfNull(node);
        Add(node.Location, path, message);
    }

    public void AddRange(IEnumerable<Diagnostic> diagnostics) => _items.AddRange(diagnostics);
}
