namespace Gantry.Cli.Importing;

/// <summary>
/// An Ansible inventory as both of its formats (INI, YAML) describe it: groups with hosts, vars and
/// child groups, and per-host vars. <see cref="ToFleet"/> turns it into Gantry's shape.
/// </summary>
internal sealed class AnsibleInventory
{
    internal sealed class Group(string name)
    {
        public string Name { get; } = name;

        public List<string> Hosts { get; } = [];

        public List<string> Children { get; } = [];

        public Dictionary<string, string> Vars { get; } = new(StringComparer.Ordinal);
    }

    private readonly Dictionary<string, Group> _groups = new(StringComparer.Ordinal);
    private readonly List<string> _groupOrder = [];
    private readonly Dictionary<string, Dictionary<string, string>> _hostVars = new(StringComparer.Ordinal);
    private readonly List<string> _hostOrder = [];

    public Group GetGroup(string name)
    {
        if (!_groups.TryGetValue(name, out var group))
        {
            _groups[name] = group = new Group(name);
            _groupOrder.Add(name);
        }

        return group;
    }

    /// <summary>Adds the host to the group (once) and returns its vars to fill.</summary>
    public Dictionary<string, string> AddHost(string group, string host)
    {
        var members = GetGroup(group).Hosts;
        if (!members.Contains(host))
        {
            members.Add(host);
        }

        if (!_hostVars.TryGetValue(host, out var vars))
        {
            _hostVars[host] = vars = new Dictionary<string, string>(StringComparer.Ordinal);
            _hostOrder.Add(host);
        }

        return vars;
    }

    /// <summary>
    /// Gantry groups: the ones named in <paramref name="selected"/> (with their child groups' hosts),
    /// else every group that lists hosts itself. Vars apply as Ansible applies them: all, then parent
    /// groups before children, then the host's own.
    /// </summary>
    public ImportedFleet ToFleet(IReadOnlyList<string>? selected, string source)
    {
        var fleet = new ImportedFleet("ansible inventory");
        var chosen = selected is { Count: > 0 } ? selected : _groupOrder.Where(g => _groups[g].Hosts.Count > 0 && g != "all").ToList();
        if (chosen.Count == 0 && _groups.TryGetValue("all", out var all) && all.Hosts.Count > 0)
        {
            chosen = ["all"];
        }

        var placed = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in chosen)
        {
            if (!_groups.ContainsKey(name))
            {
                throw new UsageException($"--groups: the inventory {source} has no group '{name}'; it has: {string.Join(", ", _groupOrder)}");
            }

            var members = new List<string>();
            foreach (var host in HostsOf(name, []))
            {
                if (placed.TryGetValue(host, out var first))
                {
                    fleet.Notes.Add(
                        $"host {host} is in groups {first} and {name}; kept in {first} (a host belongs to one Gantry group; choose with --groups)");
                    continue;
                }

                placed[host] = name;
                members.Add(host);
            }

            fleet.Groups.Add(new(name, members));
        }

        var dropped = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var host in _hostOrder.Where(placed.ContainsKey))
        {
            fleet.Hosts.Add(ToHost(host, EffectiveVars(host), dropped));
        }

        fleet.Notes.AddRange(dropped.Select(d => $"{d.Key} is Ansible's own and not carried over ({string.Join(", ", d.Value)})"));

        var left = _hostOrder.Where(h => !placed.ContainsKey(h)).ToList();
        if (left.Count > 0)
        {
            fleet.Notes.Add($"hosts in no chosen group, left out: {string.Join(", ", left)}");
        }

        return fleet;
    }

    private IEnumerable<string> HostsOf(string group, HashSet<string> seen)
    {
        if (!seen.Add(group) || !_groups.TryGetValue(group, out var g))
        {
            yield break;
        }

        foreach (var host in g.Hosts)
        {
            yield return host;
        }

        foreach (var host in g.Children.SelectMany(child => HostsOf(child, seen)))
        {
            yield return host;
        }
    }

    private Dictionary<string, string> EffectiveVars(string host)
    {
        var vars = new Dictionary<string, string>(StringComparer.Ordinal);
        var containing = _groupOrder.Where(g => g == "all" || HostsOf(g, []).Contains(host)).OrderBy(g => g == "all" ? -1 : Depth(g, []));
        foreach (var group in containing)
        {
            foreach (var (key, value) in _groups[group].Vars)
            {
                vars[key] = value;
            }
        }

        foreach (var (key, value) in _hostVars[host])
        {
            vars[key] = value;
        }

        return vars;
    }

    private int Depth(string group, HashSet<string> seen)
    {
        if (!seen.Add(group))
        {
            return 0;
        }

        var parents = _groupOrder.Where(p => _groups[p].Children.Contains(group)).ToList();
        return parents.Count == 0 ? 0 : 1 + parents.Max(p => Depth(p, seen));
    }

    private static ImportedHost ToHost(string name, Dictionary<string, string> vars, SortedDictionary<string, List<string>> dropped)
    {
        string? Take(params string[] keys)
        {
            string? found = null;
            foreach (var key in keys)
            {
                if (vars.Remove(key, out var value))
                {
                    found ??= value;
                }
            }

            return found;
        }

        var host = new ImportedHost(name, Take("ansible_host", "ansible_ssh_host") ?? name)
        {
            User = Take("ansible_user", "ansible_ssh_user"),
            KeyFile = Take("ansible_ssh_private_key_file", "ansible_private_key_file"),
        };
        if (Take("ansible_port", "ansible_ssh_port") is { } port)
        {
            host.Port = int.TryParse(port, out var number) && number is > 0 and < 65536
                ? number
                : throw new ImportException($"host {name}: ansible_port '{port}' is not a port number (1 to 65535)");
        }

        foreach (var (key, value) in vars)
        {
            if (key.StartsWith("ansible_", StringComparison.Ordinal))
            {
                if (!dropped.TryGetValue(key, out var hosts))
                {
                    dropped[key] = hosts = [];
                }

                hosts.Add(name);
            }
            else
            {
                host.Vars[key] = value;
            }
        }

        return host;
    }
}
