namespace Gantry.Engine.Documents;

/// <summary>Picks the reader by file extension or, for text without a name, by its first character.</summary>
public static class DocumentReader
{
    /// <summary>Parses YAML or JSON text.</summary>
    /// <exception cref="DocumentSyntaxException">The text is not well-formed.</exception>
    public static DocNode Parse(string text, string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(text);

        var isJson = file.EndsWith(".json", StringComparison.OrdinalIgnoreCase)
            || (!file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) && !file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                && text.TrimStart().StartsWith('{'));
        return isJson ? JsonDocumentReader.Read(text, file) : YamlDocumentReader.Read(text, file);
    }
}
