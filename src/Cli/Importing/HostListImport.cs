namespace Gantry.Cli.Importing;

/// <summary>
/// Reads a plain host list, as Fabric's <c>env.hosts</c> or a <c>hosts.txt</c> holds it: one or more
/// <c>[user@]host[:port]</c> per line (spaces or commas between), ranges, <c>#</c> comments.
/// </summary>
internal static class HostListImport
{
    public static ImportedFleet Read(string text, string file)
    {
        var fleet = new ImportedFleet("host list");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var where = $"{file}:{i + 1}";
            var hash = lines[i].IndexOf('#', StringComparison.Ordinal);
            var content = hash < 0 ? lines[i] : lines[i][..hash];
            foreach (var entry in content.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries))
            {
                var at = entry.IndexOf('@', StringComparison.Ordinal);
                var user = at > 0 ? entry[..at] : null;
                var rest = at >= 0 ? entry[(at + 1)..] : entry;
                string? port = null;
                var colon = rest.LastIndexOf(':');
                if (colon > 0 && rest.IndexOf(']', colon) < 0)
                {
                    (rest, port) = (rest[..colon], rest[(colon + 1)..]);
                }

                if (rest.Length == 0 || at == 0)
                {
                    throw new ImportException($"{where}: '{entry}' is not [user@]host[:port]");
                }

                int? portNumber = port is null ? null
                    : int.TryParse(port, out var number) && number is > 0 and < 65536 ? number
                    : throw new ImportException($"{where}: '{entry}' has port '{port}'; expected a number from 1 to 65535");
                foreach (var host in HostRange.Expand(rest, where))
                {
                    if (!seen.Add(host))
                    {
                        throw new ImportException($"{where}: host {host} is listed twice");
                    }

                    fleet.Hosts.Add(new ImportedHost(host, host) { User = user, Port = portNumber });
                }
            }
        }

        return fleet.Hosts.Count > 0 ? fleet : throw new ImportException($"{file}: no hosts found; expected one [user@]host[:port] per line");
    }
}
