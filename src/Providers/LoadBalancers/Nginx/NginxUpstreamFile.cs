using System.Globalization;
using System.Text.RegularExpressions;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>One <c>server</c> line of an upstream block.</summary>
/// <param name="Address">The address as written (<c>host:port</c>).</param>
/// <param name="Down">The line carries the <c>down</c> parameter.</param>
/// <param name="Weight">The <c>weight=</c> parameter, when present.</param>
internal sealed record UpstreamServerLine(string Address, bool Down, int? Weight);

/// <summary>Reads the <c>server</c> lines of one upstream block out of an nginx configuration file.</summary>
internal static partial class NginxUpstreamFile
{
    public static IReadOnlyList<UpstreamServerLine> Parse(string content, string upstreamName, string path)
    {
        var text = CommentPattern().Replace(content, string.Empty);
        var start = Regex.Match(text, @"(?<![\w.\-])upstream\s+" + Regex.Escape(upstreamName) + @"\s*\{", RegexOptions.CultureInvariant);
        if (!start.Success)
        {
            throw new NginxException(
                $"The file '{path}' has no 'upstream {upstreamName} {{ ... }}' block. Check UpstreamConfigPath and UpstreamName, or write the block "
                + "once by hand.");
        }

        var end = text.IndexOf('}', start.Index + start.Length);
        if (end < 0)
        {
            throw new NginxException($"The 'upstream {upstreamName}' block in '{path}' is not closed with '}}'.");
        }

        var lines = new List<UpstreamServerLine>();
        var body = text[(start.Index + start.Length)..end];
        foreach (var directive in body.Split(';'))
        {
            var words = directive.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (words.Length < 2 || words[0] != "server")
            {
                continue;
            }

            var parameters = words.Skip(2).ToList();
            var weight = parameters
                .Where(p => p.StartsWith("weight=", StringComparison.Ordinal))
                .Select(p => int.TryParse(p.AsSpan("weight=".Length), NumberStyles.None, CultureInfo.InvariantCulture, out var w) ? w : (int?)null)
                .FirstOrDefault();
            lines.Add(new UpstreamServerLine(words[1], parameters.Contains("down"), weight));
        }

        return lines;
    }

    [GeneratedRegex("#[^\n]*")]
    private static partial Regex CommentPattern();
}
