namespace Gantry.Engine.Documents;

/// <summary>A position in a source document; line and column are 1-based.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>Where nothing better is known (a value made by code, not read from a file).</summary>
    public static SourceLocation None { get; } = new("", 0, 0);

    public override string ToString() => Line == 0 ? File : $"{File}:{Line}:{Column}";
}
