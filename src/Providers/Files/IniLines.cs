namespace Gantry.Providers.Files;

/// <summary>One <c>key = value</c> line: where it is, its section ("" before any header) and where its value starts and ends.</summary>
internal sealed record IniKeyLine(int Index, string Section, string Key, int ValueStart, int ValueEnd);

/// <summary>
/// INI text as lines (without terminators) plus what each line is: section headers and key lines.
/// Comments (<c>;</c> or <c>#</c> at the start of a line), blank lines and anything else are kept as written.
/// </summary>
internal sealed class IniLines
{
    private IniLines(List<string> lines, string newline, bool trailingNewline)
    {
        Lines = lines;
        Newline = newline;
        TrailingNewline = trailingNewline;
        Keys = Scan(lines);
    }

    public List<string> Lines { get; }

    public string Newline { get; }

    public bool TrailingNewline { get; }

    public IReadOnlyList<IniKeyLine> Keys { get; }

    public bool HasSections => Lines.Any(l => SectionName(l) is not null);

    public static IniLines Parse(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            // A final newline does not make an extra empty line.
            lines.RemoveAt(lines.Count - 1);
        }

        return new IniLines(lines, text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n", text.EndsWith('\n') || text.Length == 0);
    }

    /// <summary>The text again, with the file's line endings; a file that had no final newline still has none.</summary>
    public string Join() => string.Join(Newline, Lines) + (TrailingNewline ? Newline : "");

    /// <summary>
    /// Line ranges [start, end) of every section with this name. The global area (section "") is
    /// the lines before the first header; it always exists, possibly empty.
    /// </summary>
    public List<(int Start, int End)> SectionRanges(string section)
    {
        var ranges = new List<(int Start, int End)>();
        string? current = "";
        var start = 0;
        for (var i = 0; i <= Lines.Count; i++)
        {
            var header = i < Lines.Count ? SectionName(Lines[i]) : null;
            if (i == Lines.Count || header is not null)
            {
                if (current == section)
                {
                    ranges.Add((start, i));
                }

                current = header;
                start = i + 1;
            }
        }

        return ranges;
    }

    /// <summary>
    /// Where a new key goes in the range [start, end): right after its last key, so comments and
    /// blank lines that follow (a footer, the next section's heading comment) stay after it; in a
    /// range without keys, after its last non-blank line.
    /// </summary>
    public int InsertionPoint(int start, int end)
    {
        if (Keys.LastOrDefault(k => k.Index >= start && k.Index < end) is { } last)
        {
            return last.Index + 1;
        }

        for (var i = end - 1; i >= start; i--)
        {
            if (Lines[i].Trim().Length > 0)
            {
                return i + 1;
            }
        }

        return start;
    }

    /// <summary>A new line in the file's own style: <c>key=value</c> if existing keys are written that way, else <c>key = value</c>.</summary>
    public string KeyLine(string key, string value)
    {
        if (Keys.Count > 0)
        {
            var line = Lines[Keys[0].Index];
            var equals = line.IndexOf('=', StringComparison.Ordinal);
            return equals > 0 && line[equals - 1] is ' ' or '\t' ? $"{key} = {value}" : $"{key}={value}";
        }

        return $"{key} = {value}";
    }

    private static string? SectionName(string line)
    {
        var trimmed = line.Trim();
        var close = trimmed.IndexOf(']', StringComparison.Ordinal);
        return trimmed.StartsWith('[') && close > 0 ? trimmed[1..close].Trim() : null;
    }

    private static List<IniKeyLine> Scan(List<string> lines)
    {
        var keys = new List<IniKeyLine>();
        var section = "";
        for (var i = 0; i < lines.Count; i++)
        {
            if (SectionName(lines[i]) is { } header)
            {
                section = header;
            }
            else if (ParseKeyLine(i, section, lines[i]) is { } key)
            {
                keys.Add(key);
            }
        }

        return keys;
    }

    private static IniKeyLine? ParseKeyLine(int index, string section, string line)
    {
        var trimmed = line.TrimStart();
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        if (trimmed.Length == 0 || trimmed[0] is ';' or '#' || equals < 0 || line[..equals].Trim() is not { Length: > 0 } key)
        {
            return null;
        }

        var valueStart = equals + 1;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t')
        {
            valueStart++;
        }

        return new IniKeyLine(index, section, key, valueStart, ValueEnd(line, valueStart));
    }

    /// <summary>Where the value ends: before an inline comment (whitespace then ; or #), else before trailing whitespace.</summary>
    private static int ValueEnd(string line, int valueStart)
    {
        var end = line.Length;
        for (var i = valueStart + 1; i < line.Length; i++)
        {
            if (line[i] is ';' or '#' && line[i - 1] is ' ' or '\t')
            {
                end = i;
                break;
            }
        }

        while (end > valueStart && line[end - 1] is ' ' or '\t')
        {
            end--;
        }

        return end;
    }
}
