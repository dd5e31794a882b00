using System.Text.RegularExpressions;

namespace Gantry.Cli.Importing;

/// <summary>Ansible's host ranges: <c>web[01:10]</c>, <c>db-[a:f]</c>, <c>node[1:9:2]</c>, several in one name.</summary>
internal static partial class HostRange
{
    /// <summary>The names a pattern stands for, in order; leading zeros are kept as wide as the start.</summary>
    public static IReadOnlyList<string> Expand(string pattern, string where)
    {
        var match = RangePattern().Match(pattern);
        if (!match.Success)
        {
            return pattern.Contains('[', StringComparison.Ordinal) || pattern.Contains(']', StringComparison.Ordinal)
                ? throw new ImportException($"{where}: host range '{pattern}' is not [START:END] or [START:END:STEP] (e.g. web[01:10], db-[a:f])")
                : [pattern];
        }

        var (start, end) = (match.Groups["start"].Value, match.Groups["end"].Value);
        var step = match.Groups["step"].Success ? int.Parse(match.Groups["step"].Value) : 1;
        if (step <= 0)
        {
            throw new ImportException($"{where}: host range '{pattern}' has step {step}; expected a positive step");
        }

        var prefix = pattern[..match.Index];
        var suffix = pattern[(match.Index + match.Length)..];
        var items = Items(start, end, step, pattern, where);
        return items.SelectMany(item => Expand(prefix + item + suffix, where)).ToList();
    }

    private static IEnumerable<string> Items(string start, string end, int step, string pattern, string where)
    {
        if (int.TryParse(start, out var from) && int.TryParse(end, out var to))
        {
            if (from > to)
            {
                throw new ImportException($"{where}: host range '{pattern}' runs backwards ({start} > {end})");
            }

            var width = start.Length > 1 && start[0] == '0' ? start.Length : 0;
            for (var i = from; i <= to; i += step)
            {
                yield return i.ToString().PadLeft(width, '0');
            }

            yield break;
        }

        if (start.Length == 1 && end.Length == 1 && char.IsAsciiLetter(start[0]) && char.IsAsciiLetter(end[0]) && start[0] <= end[0])
        {
            for (var c = start[0]; c <= end[0]; c = (char)(c + step))
            {
                yield return c.ToString();
            }

            yield break;
        }

        throw new ImportException(
            $"{where}: host range '{pattern}' mixes or misorders its bounds ('{start}' to '{end}'); "
            + "expected numbers (01:10) or single letters (a:f)");
    }

    [GeneratedRegex(@"\[(?<start>[^\[\]:]*):(?<end>[^\[\]:]*)(?::(?<step>-?\d+))?\]")]
    private static partial Regex RangePattern();
}
