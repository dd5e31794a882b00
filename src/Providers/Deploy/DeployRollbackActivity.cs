using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Deploy;

/// <summary>What a <c>deploy.rollback</c> step does.</summary>
public enum RollbackMode
{
    /// <summary>Switch the hosts back, restart, check health.</summary>
    Apply,

    /// <summary>Touch nothing: decide the release and fail, naming the hosts, when some no longer keep it.</summary>
    Check,

    /// <summary>With fetch: clone the release on the hosts that no longer keep it, while they serve; switch nothing.</summary>
    Stage,
}

[Activity(
    "deploy.rollback",
    Description = "Switches hosts back to their previous release (or to: a release still kept on them), restarts and checks health, never cloning "
        + "again; mode: check decides the release for a whole environment and refuses, naming the hosts, when some no longer keep it (unless fetch: "
        + "true); mode: stage (with fetch) clones it on those hosts while they serve, switching nothing.",
    Example = "uses: deploy.rollback\nwith: { target: out, to: \"{{ steps.check.outputs.release }}\" }")]
internal sealed class DeployRollbackActivity(TargetResolver targets, FleetDeployerFactory deployers)
    : Activity<DeployRollbackActivity.Inputs, DeployOutputs>
{
    protected override async Task<DeployOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new DeployException("deploy.rollback needs an environment (--env)");
        var input = context.Input;
        var to = string.IsNullOrWhiteSpace(input.To) ? null : input.To.Trim();
        var check = input.Mode == RollbackMode.Check;
        var stage = input.Mode == RollbackMode.Stage;

        // A check touches nothing and a staging switches nothing, so a live group is fine for either.
        var (group, hosts) = await targets
            .ResolveAsync(
                environment,
                input.Target,
                input.Hosts,
                input.AllowLive || check || stage,
                context.DataDirectory,
                "roll back",
                cancellationToken)
            .ConfigureAwait(false);
        var deployer = deployers.Create(environment);
        var parallel = input.MaxParallel > 0 ? input.MaxParallel : hosts.Count;
        FleetRequest Request(IReadOnlyList<string> subset, string? release) =>
            new(
                environment,
                subset,
                release,
                parallel,
                environment.Deploy.KeepReleases,
                context.RunId,
                context.DataDirectory,
                context.Log,
                context.Secrets);
        async Task<DeployOutputs> FinishAsync(string release, FleetResult result) =>
            Finished(
                group,
                release,
                result,
                await Quarantine
                    .Of(context, environment)
                    .RecordAsync(result, context.RunId, context.Time.GetUtcNow(), context.Log, cancellationToken)
                    .ConfigureAwait(false));

        if (to is null && !input.Fetch && !check && !stage)
        {
            // Each host to its own previous release, as before there was a plan.
            return await FinishAsync("previous", await deployer.RollbackAsync(Request(hosts, null), cancellationToken).ConfigureAwait(false))
                .ConfigureAwait(false);
        }

        var states = await deployer.ReadStateAsync(Request(hosts, null), cancellationToken).ConfigureAwait(false);
        var plan = RollbackPlanner.Plan(environment.Id, states, to, input.Fetch);
        if (check)
        {
            var onIt = states.Where(s => s.Current == plan.Release).Select(s => s.Host).ToList();
            context.Log.Info($"rollback goes to {plan.Release}"
                + (onIt.Count > 0 ? $"; already on it: {string.Join(", ", onIt)}" : "")
                + (plan.Missing.Count > 0 ? $"; to clone again (fetch): {string.Join(", ", plan.Missing)}" : ""));
            return new DeployOutputs
            {
                Group = group,
                Release = plan.Release,
                Hosts = states
                    .Select(s => new Dictionary<string, object?>
                    {
                        ["host"] = s.Host,
                        ["release"] = s.Current,
                        ["previous"] = s.Previous,
                        ["ok"] = !plan.Missing.Contains(s.Host),
                    })
                    .ToList(),
            };
        }

        if (stage)
        {
            return await StageAsync(deployer, Request(plan.Missing, plan.Release), group, plan, states, context.Log, cancellationToken)
                .ConfigureAwait(false);
        }

        context.Log.Info($"rolling {group ?? "hosts"} back to {plan.Release}: {string.Join(", ", hosts)}");
        var kept = hosts.Where(h => !plan.Missing.Contains(h)).ToList();
        var switching =
            kept.Count > 0 ? deployer.RollbackAsync(Request(kept, plan.Release), cancellationToken) : Task.FromResult(new FleetResult([]));
        var fetching =
            plan.Missing.Count > 0
                ? deployer.DeployAsync(Request(plan.Missing, plan.Release), cancellationToken)
                : Task.FromResult(new FleetResult([]));
        await Task.WhenAll(switching, fetching).ConfigureAwait(false);
        var outcomes = (await switching.ConfigureAwait(false))
            .Hosts.Concat((await fetching.ConfigureAwait(false)).Hosts)
            .ToDictionary(h => h.Host, StringComparer.Ordinal);
        return await FinishAsync(plan.Release, new FleetResult(hosts.Select(h => outcomes[h]).ToList())).ConfigureAwait(false);
    }

    /// <summary>Clones the release on the hosts that no longer keep it, all at once, while they serve; the later rollback steps only
    /// switch.</summary>
    private static async Task<DeployOutputs> StageAsync(
        IFleetDeployer deployer,
        FleetRequest missing,
        string? group,
        RollbackPlan plan,
        IReadOnlyList<HostReleaseState> states,
        IStepLog log,
        CancellationToken cancellationToken)
    {
        if (plan.Missing.Count == 0)
        {
            log.Info($"every host keeps {plan.Release}: nothing to stage");
        }
        else
        {
            log.Info($"staging {plan.Release} on the hosts that no longer keep it: {string.Join(", ", plan.Missing)} (while they serve)");
            var result = await deployer.StageAsync(missing with { MaxParallel = plan.Missing.Count }, cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
            {
                var failed = result.Hosts.Where(h => !h.Succeeded).ToList();
                throw new DeployException(
                    $"staging of {plan.Release} for the rollback failed on {string.Join(", ", failed.Select(h => h.Host))}: "
                    + $"{string.Join("; ", failed.Select(h => h.Error))}. "
                        + "Nothing was taken out of rotation: no host was switched or restarted and the load balancer was not changed");
            }
        }

        return new DeployOutputs
        {
            Group = group,
            Release = plan.Release,
            Hosts = states
                .Select(s => new Dictionary<string, object?>
                {
                    ["host"] = s.Host,
                    ["release"] = s.Current,
                    ["previous"] = s.Previous,
                    ["ok"] = true,
                })
                .ToList(),
        };
    }

    private static DeployOutputs Finished(string? group, string release, FleetResult result, IReadOnlyList<string> quarantined)
    {
        if (!result.Succeeded)
        {
            var failed = result.Hosts.Where(h => !h.Succeeded).ToList();
            throw new DeployException(
                $"rollback of {group ?? "hosts"} to {release} failed on {string.Join(", ", failed.Select(h => h.Host))}: "
                + $"{string.Join("; ", failed.Select(h => h.Error))}{Quarantine.Describe(quarantined)}");
        }

        return DeployOutputs.From(group, release, result);
    }

    public sealed class Inputs
    {
        [Description("out (the group the load balancer reports out of rotation now), all, or a group name.")]
        public string Target { get; set; } = "out";

        [Description("Explicit hosts instead of a group.")]
        public List<string> Hosts { get; set; } = [];

        [Description(
            "The release to go back to; empty: each host's previous release (check: the release the targeted hosts were on before their newest "
            + "deploy).")]
        public string? To { get; set; }

        [Description(
            "apply switches the hosts back; check touches nothing and fails, naming the hosts, when some no longer keep the release; stage (with "
            + "fetch) clones it on those hosts while they serve and switches nothing.")]
        public RollbackMode Mode { get; set; } = RollbackMode.Apply;

        [Description("Clone the release again (as deploy.release does) on hosts that no longer keep it, instead of refusing.")]
        public bool Fetch { get; set; }

        [Description("Hosts rolled back at once; 0 means the whole group.")]
        public int MaxParallel { get; set; }

        [Description("Allow rolling back a group that is live.")]
        public bool AllowLive { get; set; }
    }
}
