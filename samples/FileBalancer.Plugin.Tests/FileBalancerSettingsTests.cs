using Gantry.Engine.Loading;
using Gantry.Engine.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace FileBalancer.Plugin.Tests;

/// <summary>
/// Once the plugin is registered, <c>provider: file</c> binds to its settings class and is checked
/// like a built-in product: located errors, and its own schema fragment.
/// </summary>
public sealed class FileBalancerSettingsTests
{
    private const string Hosts = """
        hosts:
          web1: { address: 10.0.0.1 }
        groups:
          group1: { hosts: [web1] }
        """;

    public FileBalancerSettingsTests() => FileBalancerPlugin.Register(new ServiceCollection());

    /// <summary>Bad environments, each with every problem it must produce: file:line:column path: message.</summary>
    public static TheoryData<string, string[]> BadEnvironments => new()
    {
        {
            "id: prod\nload_balancer: { provider: file }\n" + Hosts,
            ["prod.yaml:2:16 load_balancer.state_file: file needs state_file: the JSON file the proxy reads each server's state from, e.g. /etc/proxy/servers.json"]
        },
        {
            "id: prod\nload_balancer:\n  provider: file\n  stat_file: servers.json\n" + Hosts,
            [
                // A misspelt field also leaves the right one unset: both are said, the block's position for the missing one.
                "prod.yaml:3:3 load_balancer.state_file: file needs state_file: the JSON file the proxy reads each server's state from, e.g. /etc/proxy/servers.json",
                "prod.yaml:4:3 load_balancer.stat_file: unknown field 'stat_file' (did you mean 'state_file'?); expected one of: state_file, provider, backend, min_live_groups, drain_timeout, force_after_drain_timeout, health_timeout, poll_interval",
            ]
        },
        {
            "id: prod\nload_balancer:\n  provider: file\n  state_file: servers.json\n  config_file: /etc/nginx/up.conf\n" + Hosts,
            ["prod.yaml:5:16 load_balancer.config_file: config_file applies to provider nginx only; this load balancer is file"]
        },
        {
            "id: prod\nload_balancer: { provider: fiel, state_file: servers.json }\n" + Hosts,
            ["prod.yaml:2:28 load_balancer.provider: unknown load balancer provider 'fiel' (did you mean 'file'?); expected one of: file, haproxy, nginx, none, sandbox (a plugin's provider is known once its plugin is loaded)"]
        },
    };

    [Theory]
    [MemberData(nameof(BadEnvironments))]
    public void Load_BadFileBlock_ReportsEveryLocatedProblem(string text, string[] expected)
    {
        var result = DocumentLoader.LoadEnvironment(text, "prod.yaml");

        Assert.Equal(expected, result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_FileBlock_BindsThePluginsSettings()
    {
        var result = DocumentLoader.LoadEnvironment("id: prod\nload_balancer: { provider: file, state_file: servers.json, drain_timeout: 3s }\n" + Hosts, "prod.yaml");

        var settings = Assert.IsType<FileBalancerSettings>(result.GetOrThrow().LoadBalancer);
        Assert.Equal(("file", "servers.json", TimeSpan.FromSeconds(3)), (settings.Provider, settings.StateFile, settings.DrainTimeout));
    }

    [Fact]
    public void EnvironmentSchema_WithThePlugin_HasTheFileFragment()
    {
        var fragment = SchemaGenerator.Environment()["$defs"]!["load_balancer.file"]!;

        Assert.Equal("file", fragment["properties"]!["provider"]!["const"]!.GetValue<string>());
        Assert.StartsWith("The JSON file the proxy reads", fragment["properties"]!["state_file"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
