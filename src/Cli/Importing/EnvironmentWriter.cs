using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Gantry.Cli.Importing;

/// <summary>
/// Writes an <see cref="ImportedFleet"/> as an environment document in the style of
/// workflows/environments/*.yaml: one line per group and host, settings shared by every host
/// lifted into <c>ssh:</c>, and what was not carried over as comments at the top.
/// </summary>
internal static partial class EnvironmentWriter
{
    /// <param name="header">The first comment line; default says it was imported by <c>gantry env import</c> from <paramref name="source"/>.</param>
    public static string Write(ImportedFleet fleet, string id, string source, string? header = null)
    {
        var text = new StringBuilder();
        text.AppendLine(header ?? $"# Imported by `gantry env import` from {source} ({fleet.SourceKind}).");
        text.AppendLine("# Check deploy: (root, restart, health) and add repository: before the first deploy.");
        foreach (var note in fleet.Notes)
        {
            text.AppendLine($"# Note: {note}");
        }

        text.AppendLine($"id: {Scalar(id)}");
        if (fleet.RepositoryUrl is not null)
        {
            text.AppendLine(
                $"repository: {{ url: {Quoted(fleet.RepositoryUrl)}, production_branch: production, develop_branch: develop, tag_prefix: v }}");
        }

        if (fleet.LbBackend is not null && fleet.LbProvider == "nginx")
        {
            text.AppendLine("load_balancer:");
            text.AppendLine("  provider: nginx");
            text.AppendLine($"  backend: {Scalar(fleet.LbBackend)}   # the upstream block's name");
            text.AppendLine(
                $"  config_file: {Scalar(fleet.LbConfigFile ?? "/etc/nginx/conf.d/" + fleet.LbBackend + "-upstream.conf")}   # the upstream file "
                + "nginx includes; Gantry rewrites it");
            text.AppendLine("  main_config: /etc/nginx/nginx.conf");
            text.AppendLine("  min_live_groups: 1");
        }
        else if (fleet.LbBackend is not null)
        {
            text.AppendLine("load_balancer:");
            text.AppendLine("  provider: haproxy");
            if (fleet.LbAddress is not null)
            {
                text.AppendLine($"  address: {Scalar(fleet.LbAddress)}");
            }

            text.AppendLine($"  backend: {Scalar(fleet.LbBackend)}");
            text.AppendLine("  min_live_groups: 1");
        }
        else
        {
            text.AppendLine("load_balancer: { provider: none, min_live_groups: 0 }");
        }

        text.AppendLine("groups:");
        foreach (var (group, hosts) in fleet.Groups)
        {
            text.AppendLine($"  {Scalar(group)}: {{ hosts: [{string.Join(", ", hosts.Select(Scalar))}] }}");
        }

        var user = Shared(fleet.Hosts, h => h.User);
        var port = Shared(fleet.Hosts, h => h.Port?.ToString());
        var keyFile = Shared(fleet.Hosts, h => h.KeyFile);
        text.AppendLine("hosts:");
        foreach (var host in fleet.Hosts)
        {
            var fields = new List<string> { $"address: {Scalar(host.Address)}" };
            if (host.User is not null && user is null)
            {
                fields.Add($"user: {Scalar(host.User)}");
            }

            if (host.Port is not null && port is null)
            {
                fields.Add($"port: {host.Port}");
            }

            if (host.LbServer is not null && host.LbServer != host.Name)
            {
                fields.Add($"lb_server: {Scalar(host.LbServer)}");
            }

            if (host.Vars.Count > 0)
            {
                fields.Add($"vars: {{ {string.Join(", ", host.Vars.Select(v => $"{Scalar(v.Key)}: {Quoted(v.Value)}"))} }}");
            }

            text.AppendLine($"  {Scalar(host.Name)}: {{ {string.Join(", ", fields)} }}");
        }

        // Gantry never trusts host keys blindly: the file is named here, the team fills it once.
        var keyscanTargets = string.Join(' ', fleet.Hosts.Select(h => h.Address).Distinct().Take(3));
        text.AppendLine("ssh:");
        text.AppendLine(user is null ? "" : $"  user: {Scalar(user)}");
        text.AppendLine(port is null ? "" : $"  port: {port}");
        text.AppendLine(keyFile is null ? "" : $"  key_file: {Scalar(keyFile)}");
        text.AppendLine(
            $"  known_hosts: {Scalar(id + ".known_hosts")}   # next to this file; fill with ssh-keyscan{(port is null ? "" : $" -p {port}")} "
            + $"{keyscanTargets}{(fleet.Hosts.Count > 3 ? " ..." : "")} >> {id}.known_hosts");

        text.AppendLine("deploy:");
        text.AppendLine(
            fleet.DeployRoot is { } root ? $"  root: {Quoted(root)}" : "  root: /srv/app   # where releases/ and current are on every host");
        text.AppendLine(
            fleet.Restart is { } restart
                ? $"  restart: {Quoted(restart)}"
                : "  restart: sudo systemctl restart app   # the command that restarts your service");
        return Regex.Replace(text.ToString(), @"^\r?\n", "", RegexOptions.Multiline);
    }

    /// <summary>The value when every host has the same one, so it is written once under ssh:.</summary>
    private static string? Shared(List<ImportedHost> hosts, Func<ImportedHost, string?> value) =>
        hosts.Count > 0 && hosts.Select(value).Distinct().ToList() is [{ } only] ? only : null;

    /// <summary>Plain when YAML reads it back as the same string, else JSON-quoted (a valid YAML double-quoted scalar).</summary>
    private static string Scalar(string value) =>
        PlainScalar().IsMatch(value) && !ReservedWord().IsMatch(value) ? value : Quoted(value);

    private static string Quoted(string value) => JsonSerializer.Serialize(value, Output.JsonOutput.Options);

    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./-]*$|^\d+\.\d+\.\d+\.\d+$")]
    private static partial Regex PlainScalar();

    [GeneratedRegex("^(true|false|yes|no|on|off|null|y|n)$", RegexOptions.IgnoreCase)]
    private static partial Regex ReservedWord();
}
