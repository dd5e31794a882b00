namespace Gantry.Providers.Files;

/// <summary>The result of setting one key: the new text, whether it differs, the key's old value, and where it was set.</summary>
internal sealed record IniEdit(string Text, bool Changed, string? Previous, string Where);

/// <summary>A key that matches more than one line: which one to change is not Gantry's guess to make.</summary>
internal sealed class IniAmbiguousKeyException(string message) : Exception(message);

/// <summary>
/// Sets one key in INI text while keeping everything else as written: comments, blank lines,
/// ordering, line endings, a missing final newline, the spacing around <c>=</c> and an inline
/// comment after the value. Sections and keys match exactly (ordinal). A file without a final
/// newline still has none afterwards.
/// </summary>
internal static class IniEditor
{
    /// <summary>
    /// Sets <paramref name="key"/> as people write it: for <c>a.b</c>, first a key literally named
    /// <c>a.b</c> (before any header or in any section), then key <c>b</c> in section <c>[a]</c>.
    /// A key without a dot is a key before the first header. More than one match is an error.
    /// When nothing matches it is added: into the first <c>[a]</c> (as <c>a.b</c> when that section's
    /// keys are written with the <c>a.</c> prefix, else as <c>b</c>); else, in a file without sections
    /// or whose keys before the first header already use the <c>a.</c> prefix, as <c>a.b</c> after those
    /// keys; else as <c>b</c> in a new <c>[a]</c> at the end.
    /// </summary>
    public static IniEdit Set(string text, string key, string value)
    {
        var ini = IniLines.Parse(text);
        var dot = key.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return SetInSection(text, ini, "", key, value);
        }

        var literal = ini.Keys.Where(k => k.Key == key).ToList();
        if (literal.Count > 0)
        {
            return Replace(text, ini, Single(literal, key), value);
        }

        var (section, name) = (key[..dot], key[(dot + 1)..]);
        var inSection = ini.Keys.Where(k => k.Section == section && k.Key == name).ToList();
        if (inSection.Count > 0)
        {
            return Replace(text, ini, Single(inSection, key), value);
        }

        var prefix = section + ".";
        if (ini.SectionRanges(section) is [var (start, end), ..])
        {
            var prefixed = ini.Keys.Any(k => k.Section == section && k.Key.StartsWith(prefix, StringComparison.Ordinal));
            return Insert(ini, ini.InsertionPoint(start, end), ini.KeyLine(prefixed ? key : name, value), $"[{section}]");
        }

        var (rootStart, rootEnd) = ini.SectionRanges("")[0];
        var flat = ini.Keys.Any(k => k.Section == "" && (k.Key.StartsWith(prefix, StringComparison.Ordinal) || !ini.HasSections));
        return flat
            ? Insert(ini, ini.InsertionPoint(rootStart, rootEnd), ini.KeyLine(key, value), "before any section")
            : AppendSection(ini, section, name, value);
    }

    /// <summary>Sets <paramref name="key"/>, used whole, in <paramref name="section"/> ("" or null: before the first header).</summary>
    public static IniEdit Set(string text, string? section, string key, string value) =>
        SetInSection(text, IniLines.Parse(text), section ?? "", key, value);

    private static IniEdit SetInSection(string text, IniLines ini, string section, string key, string value)
    {
        var matches = ini.Keys.Where(k => k.Section == section && k.Key == key).ToList();
        if (matches.Count > 0)
        {
            return Replace(text, ini, Single(matches, key), value);
        }

        var ranges = ini.SectionRanges(section);
        if (section.Length == 0)
        {
            var (start, end) = ranges[0];
            return Insert(ini, ini.InsertionPoint(start, end), ini.KeyLine(key, value), "before any section");
        }

        return ranges.Count > 0
            ? Insert(ini, ini.InsertionPoint(ranges[0].Start, ranges[0].End), ini.KeyLine(key, value), $"[{section}]")
            : AppendSection(ini, section, key, value);
    }

    private static IniKeyLine Single(List<IniKeyLine> matches, string key)
    {
        if (matches.Count == 1)
        {
            return matches[0];
        }

        var lines = matches.Select(m => $"line {m.Index + 1} ({(m.Section.Length == 0 ? "before any section" : $"[{m.Section}]")} {m.Key})");
        throw new IniAmbiguousKeyException(
            $"key {key} matches {matches.Count} lines: {string.Join(", ", lines)}; remove the duplicates so that one line holds it");
    }

    private static IniEdit Replace(string text, IniLines ini, IniKeyLine match, string value)
    {
        var line = ini.Lines[match.Index];
        var previous = line[match.ValueStart..match.ValueEnd];
        var where = $"line {match.Index + 1} ({(match.Section.Length == 0 ? "" : $"[{match.Section}] ")}{match.Key})";
        if (previous == value)
        {
            return new IniEdit(text, false, previous, where);
        }

        ini.Lines[match.Index] = line[..match.ValueStart] + value + line[match.ValueEnd..];
        return new IniEdit(ini.Join(), true, previous, where);
    }

    private static IniEdit Insert(IniLines ini, int index, string line, string where)
    {
        ini.Lines.Insert(index, line);
        return new IniEdit(ini.Join(), true, null, $"line {index + 1} ({where})");
    }

    /// <summary>A missing section goes at the end, after a blank line.</summary>
    private static IniEdit AppendSection(IniLines ini, string section, string key, string value)
    {
        var entry = ini.KeyLine(key, value);
        if (ini.Lines.Count > 0 && ini.Lines[^1].Trim().Length > 0)
        {
            ini.Lines.Add("");
        }

        ini.Lines.Add($"[{section}]");
        ini.Lines.Add(entry);
        return new IniEdit(ini.Join(), true, null, $"line {ini.Lines.Count} (new section [{section}])");
    }
}
