namespace Gantry.Engine.Diagnostics;

/// <summary>Thrown where a caller needs a valid document and got one with problems; carries all of them.</summary>
public sealed class DocumentInvalidException(IReadOnlyList<Diagnostic> diagnostics)
    : Exception(string.Join(Environment.NewLine, diagnostics))
{
    public IReadOnlyList<Diagnostic> Diagnostics { get; } = diagnostics;
}
