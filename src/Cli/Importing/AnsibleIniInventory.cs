using System.Text;

namespace Gantry.Cli.Importing;

/// <summary>
/// Reads Ansible's INI inventory: <c>[group]</c> host lines with <c>key=value</c> vars,
/// <c>[group:vars]</c>, <c>[group:children]</c>, hosts before any section (ungrouped),
/// <c>host:port</c>, ranges, quoted values, and <c>#</c> / <c>;</c> comments.
/// </summary>
internal static class AnsibleIniInventory
{
    public static AnsibleInventory Read(string text, string file)
    {
        var inventory = new AnsibleInventory();
        var (group, kind) = ("ungrouped", "hosts");
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var where = $"{file}:{i + 1}";
            var line = lines[i].Trim();
            if (line.Length == 0 || line[0] is '#' or ';')
            {
                continue;
            }

            if (line[0] == '[')
            {
                var close = line.IndexOf(']', StringComparison.Ordinal);
                if (close < 0 || StripComment(line[(close + 1)..]).Trim().Length > 0)
                {
                    throw new ImportException($"{where}: expected a section header like [web] or [web:vars], found '{line}'");
                }

                var header = line[1..close].Trim();
                var colon = header.IndexOf(':', StringComparison.Ordinal);
                (group, kind) = colon < 0 ? (header, "hosts") : (header[..colon], header[(colon + 1)..]);
                if (group.Length == 0 || (colon >= 0 && kind is not ("vars" or "children")))
                {
                    throw new ImportException($"{where}: section [{header}] is not [GROUP], [GROUP:vars] or [GROUP:children]");
                }

                inventory.GetGroup(group);
                continue;
            }

            var tokens = Tokens(line, where);
            switch (kind)
            {
                case "vars":
                    var (key, value) = KeyValue(string.Join(' ', tokens), where, allowSpaces: true);
                    inventory.GetGroup(group).Vars[key] = value;
                    break;
                case "children":
                    inventory.GetGroup(group).Children.Add(tokens[0]);
                    inventory.GetGroup(tokens[0]);
                    break;
                default:
                    AddHosts(inventory, group, tokens, where);
                    break;
            }
        }

        return inventory;
    }

    private static void AddHosts(AnsibleInventory inventory, string group, List<string> tokens, string where)
    {
        var (pattern, port) = (tokens[0], (string?)null);
        var colon = pattern.LastIndexOf(':');
        // host:port, but not a range's colon (web[01:10]) nor an IPv6 address.
        if (colon > 0 && pattern.IndexOf(']', colon) < 0 && pattern.Count(c => c == ':') == 1)
        {
            (pattern, port) = (pattern[..colon], pattern[(colon + 1)..]);
        }

        var vars = tokens.Skip(1).Select(t => KeyValue(t, where, allowSpaces: false)).ToList();
        foreach (var host in HostRange.Expand(pattern, where))
        {
            var hostVars = inventory.AddHost(group, host);
            if (port is not null)
            {
                hostVars["ansible_port"] = port;
            }

            foreach (var (key, value) in vars)
            {
                hostVars[key] = value;
            }
        }
    }

    private static (string Key, string Value) KeyValue(string token, string where, bool allowSpaces)
    {
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0)
        {
            throw new ImportException($"{where}: expected key=value, found '{token}'");
        }

        var key = token[..equals].Trim();
        if (!allowSpaces && key.Contains(' ', StringComparison.Ordinal))
        {
            throw new ImportException($"{where}: expected key=value, found '{token}'");
        }

        return (key, Unquote(token[(equals + 1)..].Trim()));
    }

    /// <summary>Splits on spaces outside quotes, stopping at a comment (<c>#</c> at the start of a word).</summary>
    private static List<string> Tokens(string line, string where)
    {
        var tokens = new List<string>();
        var current = new StringBuilder();
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is not null)
            {
                current.Append(c);
                quote = c == quote ? null : quote;
            }
            else if (c is '"' or '\'')
            {
                current.Append(c);
                quote = c;
            }
            else if (char.IsWhiteSpace(c))
            {
                Flush();
            }
            else if (c == '#' && current.Length == 0)
            {
                break;
            }
            else
            {
                current.Append(c);
            }
        }

        if (quote is not null)
        {
            throw new ImportException($"{where}: a quote ({quote}) is not closed on this line");
        }

        Flush();
        return tokens;

        void Flush()
        {
            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static string StripComment(string text)
    {
        var at = text.IndexOfAny(['#', ';']);
        return at < 0 ? text : text[..at];
    }

    private static string Unquote(string value) =>
        value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1]
        : value.Replace("\"", "", StringComparison.Ordinal).Replace("'", "", StringComparison.Ordinal);
}
