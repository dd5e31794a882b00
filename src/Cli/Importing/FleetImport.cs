namespace Gantry.Cli.Importing;

/// <summary>Picks the reader for a source and arranges flat fleets (HAProxy, host lists) into rollout groups.</summary>
internal static class FleetImport
{
    public static ImportedFleet Read(string format, string text, string file, string? groups, string? backend)
    {
        if (backend is not null && format != "haproxy")
        {
            throw new UsageException($"--backend applies to --from haproxy; {file} is read as {format}");
        }

        switch (format)
        {
            case "ansible":
                var inventory =
                    file.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
                    || file.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
                    || LooksLikeYaml(text)
                        ? AnsibleYamlInventory.Read(text, file)
                        : AnsibleIniInventory.Read(text, file);
                var fleet = inventory.ToFleet(groups?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), file);
                return fleet.Hosts.Count > 0 ? fleet : throw new ImportException($"{file}: the inventory has no hosts");
            case "haproxy":
                return Split(HAProxyConfigImport.Read(text, file, backend), groups);
            default:
                return Split(HostListImport.Read(text, file), groups);
        }
    }

    /// <summary>haproxy for *.cfg or a file with a backend/listen section; ansible for YAML or [sections]; else a host list.</summary>
    public static string Guess(string path, string text)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && l[0] is not ('#' or ';')).ToList();
        if (path.EndsWith(".cfg", StringComparison.OrdinalIgnoreCase)
            || lines.Any(l => l.StartsWith("backend ", StringComparison.Ordinal) || l.StartsWith("listen ", StringComparison.Ordinal)))
        {
            return "haproxy";
        }

        return
            path.EndsWith(".ini", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase)
            || path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
            || LooksLikeYaml(text)
            || lines.Any(l => l.StartsWith('[') && l.EndsWith(']'))
            || lines.Any(l => l.Contains("ansible_", StringComparison.Ordinal))
            ? "ansible"
            : "hosts";
    }

    private static bool LooksLikeYaml(string text) =>
        text.ReplaceLineEndings("\n").Split('\n').Any(l => l.TrimEnd() is "all:" or "---");

    /// <summary>Contiguous groups of near-equal size (group1 the first hosts), as a rolling deploy takes them.</summary>
    private static ImportedFleet Split(ImportedFleet fleet, string? groups)
    {
        var count = fleet.Hosts.Count == 1 ? 1 : 2;
        if (groups is not null && (!int.TryParse(groups, out count) || count < 1 || count > fleet.Hosts.Count))
        {
            throw new UsageException(
                $"--groups {groups}: expected a number from 1 to {fleet.Hosts.Count} (the hosts found) for a {fleet.SourceKind}");
        }

        var start = 0;
        for (var g = 0; g < count; g++)
        {
            var size = (fleet.Hosts.Count - start) / (count - g);
            fleet.Groups.Add(new($"group{g + 1}", fleet.Hosts.Skip(start).Take(size).Select(h => h.Name).ToList()));
            start += size;
        }

        return fleet;
    }
}
