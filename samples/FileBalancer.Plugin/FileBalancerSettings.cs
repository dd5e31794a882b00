using System.ComponentModel;
using Gantry.Engine.Model;

namespace FileBalancer.Plugin;

/// <summary>
/// <c>load_balancer: { provider: file, state_file: ... }</c>: the fields of this product. Its
/// properties are the block's fields (snake_case); their descriptions go into the generated
/// schema fragment <c>schemas/load-balancers/file.schema.json</c>.
/// </summary>
public sealed class FileBalancerSettings : LoadBalancerSettings
{
    [Description("The JSON file the proxy reads: each server's state (ready, drain or maint). Relative paths are relative to the environment file.")]
    public string? StateFile { get; set; }

    public override IEnumerable<(string Field, string Message)> Check(EnvironmentDefinition environment)
    {
        if (string.IsNullOrWhiteSpace(StateFile))
        {
            yield return ("state_file", "file needs state_file: the JSON file the proxy reads each server's state from, e.g. /etc/proxy/servers.json");
        }
    }
}
