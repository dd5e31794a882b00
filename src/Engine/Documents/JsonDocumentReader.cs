using System.Text;
using System.Text.Json;

namespace Gantry.Engine.Documents;

/// <summary>Reads JSON (System.Text.Json) into a <see cref="DocNode"/> tree with line and column of every value.</summary>
internal static class JsonDocumentReader
{
    public static DocNode Read(string text, string file)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var lines = new LineIndex(bytes);
        var reader = new Utf8JsonReader(
            bytes,
            new JsonReaderOptions
            {
                CommentHandling = JsonCommentHandling.Skip,
                AllowTrailingCommas = false,
                MaxDepth = DocumentLimits.MaxDepth,
            });
        var budget = new Budget();
        try
        {
            if (!reader.Read())
            {
                return new DocMapping([], new SourceLocation(file, 1, 1));
            }

            var root = ReadValue(ref reader, lines, file, budget);
            if (reader.Read())
            {
                throw new DocumentSyntaxException(lines.Locate(file, reader.TokenStartIndex), "invalid JSON: unexpected content after the document");
            }

            return root;
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0) + 1;
            var column = (int)(ex.BytePositionInLine ?? 0) + 1;
            var reason = ex.Message.Split(" LineNumber:", 2)[0].Split(" Change the reader options", 2)[0].TrimEnd('.', ' ');
            throw new DocumentSyntaxException(new SourceLocation(file, line, column), $"invalid JSON: {reason}");
        }
    }

    private static DocNode ReadValue(ref Utf8JsonReader reader, LineIndex lines, string file, Budget budget)
    {
        var location = lines.Locate(file, reader.TokenStartIndex);
        if (++budget.Nodes > DocumentLimits.MaxNodes)
        {
            throw new DocumentSyntaxException(location, DocumentLimits.TooManyNodes("JSON"));
        }

        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var entries = new List<DocEntry>();
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var keyLocation = lines.Locate(file, reader.TokenStartIndex);
                    if (++budget.Nodes > DocumentLimits.MaxNodes)
                    {
                        throw new DocumentSyntaxException(keyLocation, DocumentLimits.TooManyNodes("JSON"));
                    }

                    var key = reader.GetString()!;
                    if (!seen.Add(key))
                    {
                        throw new DocumentSyntaxException(keyLocation, $"invalid JSON: duplicate key '{key}'");
                    }

                    reader.Read();
                    entries.Add(new DocEntry(key, keyLocation, ReadValue(ref reader, lines, file, budget)));
                }

                return new DocMapping(entries, location);
            case JsonTokenType.StartArray:
                var items = new List<DocNode>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    items.Add(ReadValue(ref reader, lines, file, budget));
                }

                return new DocSequence(items, location);
            case JsonTokenType.String:
                return new DocScalar(reader.GetString(), ScalarKind.String, location) { Quoted = true };
            case JsonTokenType.Number:
                var number = Encoding.UTF8.GetString(reader.ValueSpan);
                var kind = number.AsSpan().IndexOfAny(".eE") >= 0 ? ScalarKind.Number : ScalarKind.Integer;
                if (DocScalar.OutOfRange(number, kind) is { } outOfRange)
                {
                    throw new DocumentSyntaxException(location, $"invalid JSON: {outOfRange}");
                }

                return new DocScalar(number, kind, location);
            case JsonTokenType.True:
                return new DocScalar("true", ScalarKind.Boolean, location);
            case JsonTokenType.False:
                return new DocScalar("false", ScalarKind.Boolean, location);
            case JsonTokenType.Null:
                return new DocScalar(null, ScalarKind.Null, location);
            default:
                throw new DocumentSyntaxException(location, $"invalid JSON: unexpected {reader.TokenType}");
        }
    }

    /// <summary>Values read so far, against <see cref="DocumentLimits.MaxNodes"/>.</summary>
    private sealed class Budget
    {
        public int Nodes { get; set; }
    }

    /// <summary>Turns byte offsets into 1-based line and (character) column.</summary>
    private sealed class LineIndex
    {
        private readonly byte[] _bytes;
        private readonly List<int> _lineStarts = [0];

        // The reader asks in increasing order: counting characters on from the last answer keeps a
        // one-line 1 MB document linear instead of recounting its line for every token.
        private (int Line, int Offset, int Column) _last = (-1, 0, 1);

        public LineIndex(byte[] bytes)
        {
            _bytes = bytes;
            for (var i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] == (byte)'\n')
                {
                    _lineStarts.Add(i + 1);
                }
            }
        }

        public SourceLocation Locate(string file, long offset)
        {
            var index = _lineStarts.BinarySearch((int)offset);
            var line = index >= 0 ? index : ~index - 1;
            var (from, column) = _last.Line == line && _last.Offset <= offset ? (_last.Offset, _last.Column) : (_lineStarts[line], 1);
            column += Encoding.UTF8.GetCharCount(_bytes, from, (int)offset - from);
            _last = (line, (int)offset, column);
            return new SourceLocation(file, line + 1, column);
        }
    }
}
