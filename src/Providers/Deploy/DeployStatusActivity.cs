using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Deploy;

[Activity(
    "deploy.status",
    Description = "Reads which release each host's current points to and the releases it keeps; changes nothing. current is the release every host "
        + "is on, or empty when they differ.",
    Example = "id: before\nuses: deploy.status\nwith: { target: all }")]
internal sealed class DeployStatusActivity(TargetResolver targets, FleetDeployerFactory deployers)
    : Activity<DeployStatusActivity.Inputs, DeployStatusActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new DeployException("deploy.status needs an environment (--env)");
        var (_, hosts) = await targets
            .ResolveAsync(environment, context.Input.Target, context.Input.Hosts, allowLive: true, context.DataDirectory, "read", cancellationToken)
            .ConfigureAwait(false);
        var request = new FleetRequest(
            environment,
            hosts,
            null,
            hosts.Count,
            environment.Deploy.KeepReleases,
            context.RunId,
            context.DataDirectory,
            context.Log,
            context.Secrets);
        var states = await deployers.Create(environment).ReadStateAsync(request, cancellationToken).ConfigureAwait(false);
        var unreadable = states.Where(s => s.Error is not null).ToList();
        if (unreadable.Count > 0)
        {
            throw new DeployException($"cannot read {string.Join("; ", unreadable.Select(s => $"{s.Host}: {s.Error!.ReplaceLineEndings(" ")}"))}");
        }

        var currents = states.Select(s => s.Current).Distinct(StringComparer.Ordinal).ToList();
        var common = currents is [{ } only] ? only : "";
        context.Log.Info(
            common.Length > 0
                ? $"every host is on {common}"
                : $"hosts differ: {string.Join(", ", states.Select(s => $"{s.Host} {s.Current ?? "none"}"))}");
        return new Outputs
        {
            Current = common,
            Hosts = states.Select(s => new Dictionary<string, object?>
            {
                ["host"] = s.Host,
                ["group"] = environment.GroupOf(s.Host),
                ["current"] = s.Current,
                ["previous"] = s.Previous,
                ["releases"] = s.Releases.ToList(),
            }).ToList(),
        };
    }

    public sealed class Inputs
    {
        [Description("all (default), out, or a group name.")]
        public string Target { get; set; } = "all";

        [Description("Explicit hosts instead of a group.")]
        public List<string> Hosts { get; set; } = [];
    }

    public sealed class Outputs
    {
        [Description("The release every host is on, or empty when they differ.")]
        public string Current { get; set; } = "";

        [Description("Each host with its group, current and previous release and the releases it keeps (newest first).")]
        public List<Dictionary<string, object?>> Hosts { get; set; } = [];
    }
}
