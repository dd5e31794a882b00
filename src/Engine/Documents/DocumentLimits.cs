namespace Gantry.Engine.Documents;

/// <summary>
/// What one document may hold, counted while it is read (YAML aliases expanded), so a small hostile
/// text (an alias bomb, a huge object) is refused with its position before it costs memory or time.
/// </summary>
public static class DocumentLimits
{
    /// <summary>Values (scalars, mapping keys, lists, mappings) after expanding every alias. Real workflows hold a few thousand.</summary>
    public const int MaxNodes = 100_000;

    /// <summary>Nesting depth of lists and mappings, aliases expanded.</summary>
    public const int MaxDepth = 128;

    internal static string TooManyNodes(string syntax) =>
        $"invalid {syntax}: the document expands to more than {MaxNodes:N0} values (aliases counted as often as they are used); split it or remove "
        + "repeated aliases";

    internal static string TooDeep(string syntax) => $"invalid {syntax}: nested deeper than {MaxDepth} levels";
}
