using Gantry.Engine.Activities;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>
/// The <c>host</c> variable that templates see for one host of an environment (name, group,
/// address, user, port, lb_server, root, vars), for code outside a step that renders an
/// environment's per-host templates the way a run does: a provider building a host's restart or
/// health-check command, a status probe.
/// </summary>
public static class HostVariables
{
    /// <summary>The <c>host</c> value of <paramref name="hostName"/>, as a step over that host sees it.</summary>
    /// <exception cref="KeyNotFoundException">The environment has no host of that name.</exception>
    public static object? For(EnvironmentDefinition environment, string hostName)
    {
        ArgumentNullException.ThrowIfNull(environment);
        ArgumentNullException.ThrowIfNull(hostName);
        var settings = environment.Hosts.TryGetValue(hostName, out var found)
            ? found
            : throw new KeyNotFoundException(
                $"environment {environment.Id} has no host {hostName} (it has: {string.Join(", ", environment.Hosts.Keys)})");
        return RunExecution.HostVariable(new HostBinding(hostName, environment.GroupOf(hostName), settings), environment);
    }
}
