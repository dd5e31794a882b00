using System.ComponentModel;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Model;

namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>Settings of <c>provider: nginx</c>: servers are marked down in an upstream file, then nginx reloads.</summary>
public sealed class NginxSettings : LoadBalancerSettings
{
    [Description("The upstream file that nginx includes.")]
    public string? ConfigFile { get; set; }

    [Description("The main configuration file (for nginx -t and reload).")]
    public string? MainConfig { get; set; }

    [Description("The nginx program the default test and reload commands run (on PATH when not a path).")]
    public string NginxPath { get; set; } = "nginx";

    [Description("Command (argv, no shell) that checks the configuration; unset runs nginx -t -c main_config.")]
    public List<string>? TestCommand { get; set; }

    [Description(
        "Command (argv, no shell) that makes nginx load the new upstream file, e.g. [systemctl, reload, nginx]; unset runs nginx -s reload -c "
        + "main_config.")]
    public List<string>? ReloadCommand { get; set; }

    [Description("Manage nginx on this host (a name under hosts:) over SSH instead of locally")]
    public string? SshHost { get; set; }

    [Description("Time to wait after a reload so in-flight requests finish on old workers.")]
    public TimeSpan SettleDelay { get; set; } = TimeSpan.FromSeconds(5);

    public override IEnumerable<(string Field, string Message)> Check(EnvironmentDefinition environment)
    {
        ArgumentNullException.ThrowIfNull(environment);

        if (string.IsNullOrWhiteSpace(ConfigFile))
        {
            yield return ("config_file", "nginx needs config_file: the upstream file that nginx includes");
        }

        if (SshHost is { } host && !environment.Hosts.ContainsKey(host))
        {
            yield return (
                "ssh_host",
                $"unknown host '{host}'{Suggest.Hint(host, environment.Hosts.Keys)} (environment {environment.Id} has: "
                + $"{string.Join(", ", environment.Hosts.Keys)}); ssh_host names the host under hosts: that runs nginx");
        }
    }
}
