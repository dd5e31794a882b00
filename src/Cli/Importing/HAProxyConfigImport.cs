namespace Gantry.Cli.Importing;

/// <summary>
/// Reads an HAProxy configuration: one backend's (or listen section's) <c>server</c> lines become hosts
/// with <c>lb_server</c>, and <c>global</c>'s <c>stats socket</c> becomes the runtime API address.
/// </summary>
internal static class HAProxyConfigImport
{
    private static readonly HashSet<string> SectionKeywords = new(StringComparer.Ordinal)
    {
        "global",
        "defaults",
        "frontend",
        "backend",
        "listen",
        "userlist",
        "peers",
        "resolvers",
        "mailers",
        "program",
        "http-errors",
        "ring",
        "cache",
        "crt-store",
        "traces",
    };

    public static ImportedFleet Read(string text, string file, string? backend)
    {
        var fleet = new ImportedFleet("haproxy configuration");
        var servers = new Dictionary<string, List<(string Name, string Address, string Where)>>(StringComparer.Ordinal);
        var socketLevels = new List<string>();
        var (section, sectionName) = ("", "");
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var where = $"{file}:{i + 1}";
            var words = Words(lines[i]);
            if (words.Count == 0)
            {
                continue;
            }

            if (SectionKeywords.Contains(words[0]))
            {
                (section, sectionName) = (words[0], words.Count > 1 ? words[1] : "");
                if (section is "backend" or "listen")
                {
                    servers.TryAdd(sectionName, []);
                }

                continue;
            }

            if (section == "global" && words is ["stats", "socket", var address, ..] && fleet.LbAddress is null)
            {
                fleet.LbAddress = RuntimeAddress(address, where);
                var level = words.IndexOf("level");
                socketLevels.Add(level > 0 && level + 1 < words.Count ? words[level + 1] : "user");
            }
            else if (section is "backend" or "listen" && words[0] == "server")
            {
                if (words.Count < 3)
                {
                    throw new ImportException($"{where}: expected 'server NAME ADDRESS[:PORT] ...', found '{lines[i].Trim()}'");
                }

                servers[sectionName].Add((words[1], words[2], where));
            }
            else if (section is "backend" or "listen" && words[0] == "server-template")
            {
                fleet.Notes.Add($"{where}: server-template in {sectionName} is not expanded; add those hosts by hand");
            }
        }

        var chosen = ChooseBackend(servers, backend, file);
        fleet.LbBackend = chosen;
        foreach (var (name, address, where) in servers[chosen])
        {
            var (host, port) = SplitAddress(address, where);
            var imported = new ImportedHost(name, host) { LbServer = name };
            if (port is not null)
            {
                imported.Vars["app_port"] = port;
            }

            fleet.Hosts.Add(imported);
        }

        if (fleet.LbAddress is null)
        {
            fleet.Notes.Add($"{file}: global has no 'stats socket'; set load_balancer.address to HAProxy's runtime API (it needs level admin)");
        }
        else if (socketLevels is [var levelName] && levelName != "admin")
        {
            fleet.Notes.Add($"{file}: the stats socket is level {levelName}; Gantry needs 'level admin' to drain and enable servers");
        }

        return fleet;
    }

    private static string ChooseBackend(Dictionary<string, List<(string Name, string Address, string Where)>> servers, string? backend, string file)
    {
        string Listing() => string.Join(", ", servers.Select(s => $"{s.Key} ({s.Value.Count} servers)"));
        if (backend is not null)
        {
            return servers.TryGetValue(backend, out var list) && list.Count > 0
                ? backend
                : throw new UsageException(
                    $"--backend {backend}: {file} has no backend of that name with servers; it has: {(servers.Count == 0 ? "none" : Listing())}");
        }

        var withServers = servers.Where(s => s.Value.Count > 0).Select(s => s.Key).ToList();
        return withServers switch
        {
            [var only] => only,
            [] => throw new ImportException(
                $"{file}: no backend or listen section has server lines; expected e.g. 'backend app' with 'server web1 10.0.1.11:8080 check'"),
            _ => throw new UsageException($"{file} has several backends with servers; choose one with --backend NAME: {Listing()}"),
        };
    }

    /// <summary>HAProxy's <c>stats socket</c> forms: a path, <c>unix@path</c>, <c>ipv4@host:port</c>, <c>host:port</c>.</summary>
    private static string RuntimeAddress(string address, string where)
    {
        var bare = address.StartsWith("unix@", StringComparison.Ordinal) ? address[5..] : address;
        if (bare.StartsWith('/'))
        {
            return "unix://" + bare;
        }

        bare = bare.StartsWith("ipv4@", StringComparison.Ordinal) || bare.StartsWith("ipv6@", StringComparison.Ordinal) ? bare[5..] : bare;
        var (host, port) = SplitAddress(bare, where);
        return port is null
            ? throw new ImportException($"{where}: stats socket '{address}' is neither a socket path nor HOST:PORT")
            : $"tcp://{(host.Length == 0 || host == "*" ? "127.0.0.1" : host)}:{port}";
    }

    private static (string Host, string? Port) SplitAddress(string address, string where)
    {
        var bare =
            address.StartsWith("ipv4@", StringComparison.Ordinal) || address.StartsWith("ipv6@", StringComparison.Ordinal) ? address[5..] : address;
        if (bare.StartsWith('[') && bare.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            var rest = bare[(close + 1)..];
            return (bare[1..close], rest.StartsWith(':') ? rest[1..] : null);
        }

        var colon = bare.LastIndexOf(':');
        if (colon < 0 || bare.Count(c => c == ':') > 1)
        {
            return (bare, null);
        }

        var port = bare[(colon + 1)..];
        return port.Length > 0 && port.All(char.IsAsciiDigit) ? (bare[..colon], port)
            : throw new ImportException($"{where}: address '{address}' has port '{port}'; expected a number");
    }

    /// <summary>A line's words without its comment (<c>#</c> not escaped with a backslash).</summary>
    private static List<string> Words(string line)
    {
        var hash = -1;
        for (var i = 0; i < line.Length; i++)
        {
            if (line[i] == '#' && (i == 0 || line[i - 1] != '\\'))
            {
                hash = i;
                break;
            }
        }

        var content = hash < 0 ? line : line[..hash];
        return content.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries).ToList();
    }
}
