using System.Globalization;
using System.Text.RegularExpressions;

namespace Gantry.Engine.Schema;

/// <summary>Durations as people write them in documents: 500ms, 30s, 5m, 2h, 1d, or combined like 1m30s.</summary>
public static partial class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var matches = Part().Matches(text.Trim());
        if (matches.Count == 0 || string.Concat(matches.Select(m => m.Value)) != text.Trim())
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out value);
        }

        foreach (Match match in matches)
        {
            var amount = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            value += match.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }

        return true;
    }

    public static string Format(TimeSpan value) => value switch
    {
        { TotalMilliseconds: < 1000 } => $"{value.TotalMilliseconds:0}ms",
        { TotalSeconds: < 60 } => $"{value.TotalSeconds:0.#}s",
        { TotalMinutes: < 60 } => $"{value.TotalMinutes:0.#}m",
        _ => $"{value.TotalHours:0.#}h",
    };

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|s|m|h|d)")]
    private static partial Regex Part();
}
