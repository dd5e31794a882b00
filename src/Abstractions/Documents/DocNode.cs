using System.Globalization;

namespace Gantry.Engine.Documents;

/// <summary>
/// A YAML or JSON value that remembers where it was written. Both readers produce this one
/// tree, so binding and validation report positions the same way for either syntax.
/// </summary>
public abstract record DocNode(SourceLocation Location);

/// <summary>What a scalar means, resolved by the YAML 1.2 core schema (quoted text is always a string).</summary>
public enum ScalarKind { String, Integer, Number, Boolean, Null }

/// <summary>A scalar value; <see cref="Text"/> is the source text (null for null).</summary>
public sealed record DocScalar(string? Text, ScalarKind Kind, SourceLocation Location) : DocNode(Location)
{
    /// <summary>True when written in quotes: the text then starts one column after <see cref="DocNode.Location"/>.</summary>
    public bool Quoted { get; init; }

    public bool IsTemplate => Kind == ScalarKind.String && Text is not null && Text.Contains("{{", StringComparison.Ordinal);

    /// <summary>The value as a plain .NET object: string, long, double, bool or null.</summary>
    public object? ToPlainValue() => Kind switch
    {
        ScalarKind.Null => null,
        ScalarKind.Boolean => string.Equals(Text, "true", StringComparison.OrdinalIgnoreCase),
        ScalarKind.Integer => long.Parse(Text!, NumberStyles.Integer, CultureInfo.InvariantCulture),
        ScalarKind.Number => double.Parse(Text!, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => Text,
    };

    public override string ToString() => Text ?? "null";

    /// <summary>Why a number cannot be held (an integer beyond 64 bits, a number beyond a double), else null; readers refuse it at its
    /// position.</summary>
    internal static string? OutOfRange(string text, ScalarKind kind) => kind switch
    {
        ScalarKind.Integer when !long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) =>
            $"the integer {Shorten(text)} does not fit in 64 bits; quote it to keep it as text",
        ScalarKind.Number when !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d) =>
            $"the number {Shorten(text)} is out of range; quote it to keep it as text",
        _ => null,
    };

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>An ordered mapping; keys are unique (readers reject duplicates).</summary>
public sealed record DocMapping(IReadOnlyList<DocEntry> Entries, SourceLocation Location) : DocNode(Location)
{
    public DocNode? this[string key] => Entries.FirstOrDefault(e => e.Key == key)?.Value;

    public DocEntry? Find(string key) => Entries.FirstOrDefault(e => e.Key == key);
}

/// <summary>One key of a mapping, with the key's own position.</summary>
public sealed record DocEntry(string Key, SourceLocation KeyLocation, DocNode Value);

/// <summary>An ordered list.</summary>
public sealed record DocSequence(IReadOnlyList<DocNode> Items, SourceLocation Location) : DocNode(Location);
