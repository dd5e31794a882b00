namespace Gantry.Providers.Files;

/// <summary>The result of setting one key: the new text, whether it differs, and the key's old value.</summary>
internal sealed record IniEdit(string Text, bool Changed, string? Previous);

/// <summary>
/// Sets one key in INI text while keeping everything else as written: comments, blank lines,
/// ordering, line endings and the spacing around <c>=</c>. Sections and keys match exactly
/// (ordinal); a null or empty section means the keys before the first <c>[section]</c> header.
/// </summary>
internal static class IniEditor
{
    public static IniEdit Set(string text, string? section, string key, string value)
    {
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var lines = SplitLines(text);
        var sections = FindSections(lines, section ?? "");

        foreach (var (start, end) in sections)
        {
            for (var i = start; i < end; i++)
            {
                if (TryParseKeyLine(lines[i], out var lineKey, out var valueStart) && lineKey == key)
                {
                    var previous = lines[i][valueStart..].Trim();
                    if (previous == value)
                    {
                        return new IniEdit(text, false, previous);
                    }

                    lines[i] = lines[i][..valueStart] + value;
                    return new IniEdit(Join(lines, newline, text), true, previous);
                }
            }
        }

        var entry = KeyLine(lines, key, value);
        if (sections.Count > 0)
        {
            var (start, end) = sections[0];
            lines.Insert(LastContentLine(lines, start, end) + 1, entry);
        }
        else
        {
            // A missing section goes at the end, after a blank line.
            if (lines.Count > 0 && lines[^1].Trim().Length > 0)
            {
                lines.Add("");
            }

            lines.Add($"[{section}]");
            lines.Add(entry);
        }

        var result = Join(lines, newline, text);
        return new IniEdit(result.EndsWith('\n') ? result : result + newline, true, null);
    }

    /// <summary>Lines without their terminators; a final newline does not make an extra empty line.</summary>
    private static List<string> SplitLines(string text)
    {
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        if (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return lines;
    }

    private static string Join(List<string> lines, string newline, string original) =>
        string.Join(newline, lines) + (original.EndsWith('\n') || original.Length == 0 ? newline : "");

    /// <summary>
    /// Line ranges [start, end) of every section with this name. The global area (section "") is
    /// the lines before the first header; it always exists, possibly empty.
    /// </summary>
    private static List<(int Start, int End)> FindSections(List<string> lines, string section)
    {
        var ranges = new List<(int Start, int End)>();
        string? current = "";
        var start = 0;
        for (var i = 0; i <= lines.Count; i++)
        {
            var header = i < lines.Count ? SectionName(lines[i]) : null;
            if (i == lines.Count || header is not null)
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

    private static string? SectionName(string line)
    {
        var trimmed = line.Trim();
        var close = trimmed.IndexOf(']', StringComparison.Ordinal);
        return trimmed.StartsWith('[') && close > 0 ? trimmed[1..close].Trim() : null;
    }

    private static bool TryParseKeyLine(string line, out string key, out int valueStart)
    {
        key = "";
        valueStart = 0;
        var trimmed = line.TrimStart();
        var equals = line.IndexOf('=', StringComparison.Ordinal);
        if (trimmed.Length == 0 || trimmed[0] is ';' or '#' || equals < 0)
        {
            return false;
        }

        key = line[..equals].Trim();
        valueStart = equals + 1;
        while (valueStart < line.Length && line[valueStart] is ' ' or '\t')
        {
            valueStart++;
        }

        return key.Length > 0;
    }

    /// <summary>Where a new key goes: after the section's last non-blank line, so blank separators stay before the next header.</summary>
    private static int LastContentLine(List<string> lines, int start, int end)
    {
        for (var i = end - 1; i >= start; i--)
        {
            if (lines[i].Trim().Length > 0)
            {
                return i;
            }
        }

        return start - 1;
    }

    /// <summary>A new line in the file's own style: <c>key=value</c> if existing keys are written that way, else <c>key = value</c>.</summary>
    private static string KeyLine(List<string> lines, string key, string value)
    {
        foreach (var line in lines)
        {
            if (TryParseKeyLine(line, out _, out _))
            {
                var equals = line.IndexOf('=', StringComparison.Ordinal);
                var spaced = equals > 0 && line[equals - 1] is ' ' or '\t';
                return spaced ? $"{key} = {value}" : $"{key}={value}";
            }
        }

        return $"{key} = {value}";
    }
}
