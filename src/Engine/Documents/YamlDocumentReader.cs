using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Gantry.Engine.Documents;

/// <summary>Reads YAML into a <see cref="DocNode"/> tree, resolving plain scalars by the YAML 1.2 core schema.</summary>
internal static partial class YamlDocumentReader
{
    public static DocNode Read(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            YamlBudget.Check(text, file);
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            var reason = (ex.InnerException?.Message ?? ex.Message).Trim();
            throw new DocumentSyntaxException(new SourceLocation(file, (int)ex.Start.Line, (int)ex.Start.Column), $"invalid YAML: {Strip(reason)}");
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet throws this for some malformed input (e.g. broken anchors) without a position.
            throw new DocumentSyntaxException(new SourceLocation(file, 1, 1), $"invalid YAML: {ex.Message}");
        }
        catch (ArgumentException ex)
        {
            // YamlDotNet reports duplicate keys as an ArgumentException without a position.
            throw new DocumentSyntaxException(new SourceLocation(file, 1, 1), $"invalid YAML: {ex.Message}");
        }

        if (stream.Documents.Count == 0)
        {
            return new DocMapping([], new SourceLocation(file, 1, 1));
        }

        if (stream.Documents.Count > 1)
        {
            var second = stream.Documents[1].RootNode.Start;
            throw new DocumentSyntaxException(
                new SourceLocation(file, (int)second.Line, (int)second.Column),
                "invalid YAML: expected one document, found several ('---' separators)");
        }

        return Convert(stream.Documents[0].RootNode, file, 0);
    }

    private static DocNode Convert(YamlNode node, string file, int depth)
    {
        var location = new SourceLocation(file, (int)node.Start.Line, (int)node.Start.Column);
        if (depth > DocumentLimits.MaxDepth)
        {
            // YamlBudget refused deeper texts already; this guards a tree built some other way.
            throw new DocumentSyntaxException(location, DocumentLimits.TooDeep("YAML"));
        }

        switch (node)
        {
            case YamlScalarNode scalar:
                var kind = ResolveKind(scalar);
                if (DocScalar.OutOfRange(scalar.Value ?? "", kind) is { } outOfRange)
                {
                    throw new DocumentSyntaxException(location, $"invalid YAML: {outOfRange}");
                }

                return new DocScalar(ResolveText(scalar), kind, location)
                {
                    Quoted = scalar.Style is ScalarStyle.SingleQuoted or ScalarStyle.DoubleQuoted,
                };
            case YamlSequenceNode sequence:
                return new DocSequence(sequence.Children.Select(c => Convert(c, file, depth + 1)).ToList(), location);
            case YamlMappingNode mapping:
                var entries = new List<DocEntry>(mapping.Children.Count);
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (key, value) in mapping.Children)
                {
                    var keyLocation = new SourceLocation(file, (int)key.Start.Line, (int)key.Start.Column);
                    var keyText = key is YamlScalarNode s ? s.Value ?? "" : key.ToString();
                    if (!seen.Add(keyText))
                    {
                        throw new DocumentSyntaxException(keyLocation, $"invalid YAML: duplicate key '{keyText}'");
                    }

                    entries.Add(new DocEntry(keyText, keyLocation, Convert(value, file, depth + 1)));
                }

                return new DocMapping(entries, location);
            default:
                throw new DocumentSyntaxException(location, $"invalid YAML: unsupported node {node.NodeType}");
        }
    }

    private static string? ResolveText(YamlScalarNode scalar) =>
        ResolveKind(scalar) == ScalarKind.Null ? null : scalar.Value;

    private static ScalarKind ResolveKind(YamlScalarNode scalar)
    {
        if (scalar.Style != ScalarStyle.Plain)
        {
            return ScalarKind.String;
        }

        var text = scalar.Value ?? "";
        if (text is "" or "~" or "null" or "Null" or "NULL")
        {
            return ScalarKind.Null;
        }

        if (text is "true" or "True" or "TRUE" or "false" or "False" or "FALSE")
        {
            return ScalarKind.Boolean;
        }

        if (IntegerPattern().IsMatch(text))
        {
            return ScalarKind.Integer;
        }

        return FloatPattern().IsMatch(text) ? ScalarKind.Number : ScalarKind.String;
    }

    private static string Strip(string message) =>
        ClutterPattern().Replace(message, "").Trim();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex ClutterPattern();
}
