using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Deploy;

[Activity(
    "deploy.release",
    Description = "Deploys a tag, a branch or a commit to a group: the one out of rotation (target: out), a named group, all, or listed hosts. A "
        + "branch or commit goes to releases/<short commit>. Failed hosts go back to their previous release. stage: true only fetches, builds and "
        + "verifies the release on the hosts while they serve (no switch, no restart, no load-balancer change), so a later deploy of it is switch, "
        + "restart and health.",
    Example = "uses: deploy.release\nwith: { target: out, tag: \"{{ steps.tag.outputs.tag }}\" }")]
internal sealed class DeployReleaseActivity(TargetResolver targets, FleetDeployerFactory deployers)
    : Activity<DeployReleaseActivity.Inputs, DeployOutputs>
{
    protected override async Task<DeployOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new DeployException("deploy.release needs an environment (--env)");
        var input = context.Input;
        var intent = DeployIntent.From(context.Intent.Recorded);
        var rerun = intent is not null;
        if (intent is null)
        {
            // Decided once, journaled before any host is touched: a re-run deploys to the same hosts and release.
            // Staging serves no traffic from the new release, so live hosts are fine to stage on.
            var (group, hosts) = await targets
                .ResolveAsync(environment, input.Target, input.Hosts, input.AllowLive || input.Stage, context.DataDirectory, cancellationToken)
                .ConfigureAwait(false);
            intent = new DeployIntent(group, hosts, await ReleaseRef.ResolveAsync(context, cancellationToken).ConfigureAwait(false));
            await context.Intent.RecordAsync(intent.ToPlain(), cancellationToken).ConfigureAwait(false);
        }

        var source = intent.Source;
        var request = new FleetRequest(environment, intent.Hosts, source.Release, input.MaxParallel > 0 ? input.MaxParallel : intent.Hosts.Count,
            input.KeepReleases ?? environment.Deploy.KeepReleases, context.RunId, context.DataDirectory, context.Log, context.Secrets)
        {
            Commit = source.FetchCommit,
        };
        var deployer = deployers.Create(environment);
        if (input.Stage)
        {
            return await StageAsync(deployer, request, intent, context.Log, cancellationToken).ConfigureAwait(false);
        }

        var verified = !rerun ? [] : await VerifiedAsync(deployer, request, context.Log, cancellationToken).ConfigureAwait(false);
        var remaining = intent.Hosts.Where(h => !verified.Any(v => v.Host == h)).ToList();
        context.Log.Info(
            $"deploying {source.Describe()} to {intent.Group ?? "hosts"}: {string.Join(", ", remaining)}"
                + (verified.Count > 0 ? $" ({string.Join(", ", verified.Select(v => v.Host))} already on it)" : ""));
        var deployed =
            remaining.Count == 0
                ? new FleetResult([])
                : await deployer
                    .DeployAsync(request with { Hosts = remaining, MaxParallel = Math.Min(request.MaxParallel, remaining.Count) }, cancellationToken)
                    .ConfigureAwait(false);
        var result = new FleetResult([
            .. intent.Hosts.Select(h => verified.FirstOrDefault(v => v.Host == h) ?? deployed.Hosts.First(d => d.Host == h))]);
        var quarantined = await Quarantine
            .Of(context, environment)
            .RecordAsync(result, context.RunId, context.Time.GetUtcNow(), context.Log, cancellationToken)
            .ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var failed = result.Hosts.Where(h => !h.Succeeded).ToList();
            var ok = result.Hosts.Where(h => h.Succeeded).Select(h => $"{h.Host} on {h.Current}");
            throw new DeployException(
                $"deploy of {source.Release} to {intent.Group ?? "hosts"} failed on {string.Join(", ", failed.Select(f => f.Host))}: "
                + $"{string.Join("; ", failed.Select(f => f.Error))}"
                + (ok.Any() ? $". Left on the new release: {string.Join(", ", ok)}" : "")
                + $". To roll back: gantry rollback --env {environment.Id}"
                + Quarantine.Describe(quarantined));
        }

        var outputs = DeployOutputs.From(intent.Group, source.Release, result);
        outputs.Ref = source.Ref;
        outputs.Commit = source.Commit;
        return outputs;
    }

    /// <summary>
    /// Stages the release on every host at once (staging is safe to repeat, so a re-run stages again).
    /// A host that fails fails the step before anything is taken out of rotation.
    /// </summary>
    private static async Task<DeployOutputs> StageAsync(
        IFleetDeployer deployer,
        FleetRequest request,
        DeployIntent intent,
        IStepLog log,
        CancellationToken cancellationToken)
    {
        var source = intent.Source;
        log.Info($"staging {source.Describe()} on {intent.Group ?? "hosts"}: {string.Join(", ", intent.Hosts)} (while they serve)");
        var result = await deployer.StageAsync(request with { MaxParallel = request.Hosts.Count }, cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
        {
            var failed = result.Hosts.Where(h => !h.Succeeded).ToList();
            var staged = result.Hosts.Where(h => h.Succeeded).Select(h => h.Host).ToList();
            throw new DeployException(
                $"staging of {source.Release} failed on {string.Join(", ", failed.Select(f => f.Host))}: "
                + $"{string.Join("; ", failed.Select(f => f.Error))}. "
                    + "Nothing was taken out of rotation: no host was switched or restarted and the load balancer was not changed"
                    + (
                        staged.Count > 0
                            ? $"; {string.Join(", ", staged)} keep {source.Release} staged, unused (pruned by keep_releases unless a deploy uses it)"
                            : ""));
        }

        var outputs = DeployOutputs.From(intent.Group, source.Release, result);
        outputs.Ref = source.Ref;
        outputs.Commit = source.Commit;
        return outputs;
    }

    /// <summary>
    /// On a re-run: the hosts an earlier try already switched to the release and that answer their health
    /// check are verified, not deployed again (no second restart of a host that serves the release).
    /// </summary>
    private static async Task<List<HostOutcome>> VerifiedAsync(
        IFleetDeployer deployer,
        FleetRequest request,
        IStepLog log,
        CancellationToken cancellationToken)
    {
        var states = await deployer
            .ReadStateAsync(request.Environment, request.Hosts, request.DataDirectory, probeHealth: true, cancellationToken)
            .ConfigureAwait(false);
        var verified = new List<HostOutcome>();
        foreach (var state in states)
        {
            if (state.Error is null && state.Current == request.Release && state.Healthy != false)
            {
                log.Info($"already on {request.Release}{(state.Healthy == true ? " and healthy" : "")}: verified, not deployed again", state.Host);
                verified.Add(new HostOutcome(state.Host, true, state.Current, state.Previous, null));
            }
        }

        return verified;
    }

    public sealed class Inputs
    {
        [Description("out (the group the load balancer reports out of rotation now), or a group name.")]
        public string Target { get; set; } = "out";

        [Description("Explicit hosts instead of a group.")]
        public List<string> Hosts { get; set; } = [];

        [Description("The tag to deploy (give tag or ref).")]
        public string? Tag { get; set; }

        [Description(
            "A tag, branch or full commit SHA to deploy, resolved on origin now; a branch or commit goes to releases/<short commit> (give tag or "
            + "ref).")]
        public string? Ref { get; set; }

        [Description("Hosts deployed at once; 0 means the whole group.")]
        public int MaxParallel { get; set; }

        [Description("Releases kept on each host; defaults to the environment's deploy.keep_releases.")]
        public int? KeepReleases { get; set; }

        [Description("Allow deploying to a group that is live in the load balancer.")]
        public bool AllowLive { get; set; }

        [Description(
            "Only stage: fetch, build and verify the release in releases/<tag> on the hosts while they serve; no switch, no restart, no "
            + "load-balancer change (live groups are fine). A later deploy of the release finds it and does not fetch again.")]
        public bool Stage { get; set; }
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

    internal static DeployOutputs From(string? group, string release, FleetResult result) =>
        new()
        {
            Group = group,
            Release = release,
            Hosts = result
                .Hosts.Select(h => new Dictionary<string, object?>
                {
                    ["host"] = h.Host,
                    ["release"] = h.Current,
                    ["previous"] = h.Previous,
                    ["ok"] = h.Succeeded,
                })
                .ToList(),
        };
}
