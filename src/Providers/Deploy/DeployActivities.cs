using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Deploy;

[Activity("deploy.release", Description = "Deploys a tag, a branch or a commit to a group: the one out of rotation (target: out), a named group, or listed hosts. A branch or commit goes to releases/<short commit>. Failed hosts go back to their previous release.",
    Example = "uses: deploy.release\nwith: { target: out, tag: \"{{ steps.tag.outputs.tag }}\" }")]
internal sealed class DeployReleaseActivity(TargetResolver targets, FleetDeployerFactory deployers) : Activity<DeployReleaseActivity.Inputs, DeployOutputs>
{
    protected override async Task<DeployOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new DeployException("deploy.release needs an environment (--env)");
        var input = context.Input;
        var (group, hosts) = await targets.ResolveAsync(environment, input.Target, input.Hosts, input.AllowLive, context.DataDirectory, cancellationToken).ConfigureAwait(false);
        var source = await ReleaseRef.ResolveAsync(context, cancellationToken).ConfigureAwait(false);
        context.Log.Info($"deploying {source.Describe()} to {group ?? "hosts"}: {string.Join(", ", hosts)}");
        var request = new FleetRequest(environment, hosts, source.Release, input.MaxParallel > 0 ? input.MaxParallel : hosts.Count,
            input.KeepReleases ?? environment.Deploy.KeepReleases, context.RunId, context.DataDirectory, context.Log, context.Secrets)
        {
            Commit = source.FetchCommit,
        };
        var result = await deployers.Create(environment).DeployAsync(request, cancellationToken).ConfigureAwait(false);
        var quarantined = new Quarantine(context.DataDirectory, environment.Id).Record(result, context.RunId, context.Time.GetUtcNow(), context.Log);
        if (!result.Succeeded)
        {
            var failed = result.Hosts.Where(h => !h.Succeeded).ToList();
            var ok = result.Hosts.Where(h => h.Succeeded).Select(h => $"{h.Host} on {h.Current}");
            throw new DeployException(
                $"deploy of {source.Release} to {group ?? "hosts"} failed on {string.Join(", ", failed.Select(f => f.Host))}: {string.Join("; ", failed.Select(f => f.Error))}"
                + (ok.Any() ? $". Left on the new release: {string.Join(", ", ok)}" : "")
                + $". To roll back: gantry rollback --env {environment.Id}"
                + Quarantine.Describe(quarantined));
        }

        var outputs = DeployOutputs.From(group, source.Release, result);
        outputs.Ref = source.Ref;
        outputs.Commit = source.Commit;
        return outputs;
    }

    public sealed class Inputs
    {
        [Description("out (the group the load balancer reports out of rotation now), or a group name.")]
        public string Target { get; set; } = "out";

        [Description("Explicit hosts instead of a group.")]
        public List<string> Hosts { get; set; } = [];

        [Description("The tag to deploy (give tag or ref).")]
        public string? Tag { get; set; }

        [Description("A tag, branch or full commit SHA to deploy, resolved on origin now; a branch or commit goes to releases/<short commit> (give tag or ref).")]
        public string? Ref { get; set; }

        [Description("Hosts deployed at once; 0 means the whole group.")]
        public int MaxParallel { get; set; }

        [Description("Releases kept on each host; defaults to the environment's deploy.keep_releases.")]
        public int? KeepReleases { get; set; }

        [Description("Allow deploying to a group that is live in the load balancer.")]
        public bool AllowLive { get; set; }
    }
}

/// <summary>What deploy.release and deploy.rollback return: the group and each host's release after the step.</summary>
public sealed class DeployOutputs
{
    [Description("The group deployed to (null for explicit hosts).")]
    public string? Group { get; set; }

    [Description("The release deployed: the tag, or the short commit of a branch or commit.")]
    public string Release { get; set; } = "";

    [Description("The tag, branch or commit asked for (deploy.release with ref).")]
    public string? Ref { get; set; }

    [Description("The full commit deployed, when the release was given as a ref.")]
    public string? Commit { get; set; }

    [Description("Each host with its current and previous release.")]
    public List<Dictionary<string, object?>> Hosts { get; set; } = [];

    internal static DeployOutputs From(string? group, string release, FleetResult result) => new()
    {
        Group = group,
        Release = release,
        Hosts = result.Hosts.Select(h => new Dictionary<string, object?> { ["host"] = h.Host, ["release"] = h.Current, ["previous"] = h.Previous, ["ok"] = h.Succeeded }).ToList(),
    };
}
