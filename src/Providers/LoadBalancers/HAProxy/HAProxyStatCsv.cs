using System.Text;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Parses <c>show stat</c>: a CSV whose header line starts with <c>"# "</c>.</summary>
internal static class HAProxyStatCsv
{
    public static HAProxyTable Parse(string source, string csv)
    {
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length == 0 || !lines[0].StartsWith("# ", StringComparison.Ordinal))
        {
            throw new FormatException($"\"{source}\" reply does not start with a \"# \" header line");
        }

        var columns = SplitLine(lines[0][2..]);
        var rows = lines.Skip(1).Select(SplitLine).ToList();
        return new HAProxyTable(source, columns, rows);
    }

    // HAProxy quotes a field (RFC 4180 style) when it contains a comma or a quote, e.g. check descriptions.
    private static IReadOnlyList<string> SplitLine(string line)
    {
        var cells = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return cells;
    }
}
