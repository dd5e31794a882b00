using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.LoadBalancers;

/// <summary>What every lb.* activity returns: the state of every group and server after the action, read back from the load balancer.</summary>
public sealed class LoadBalancerOutputs
{
    [Description("Groups that take traffic.")]
    public List<string> Live { get; set; } = [];

    [Description("Groups out of rotation.")]
    public List<string> Out { get; set; } = [];

    [Description("Groups with some servers in and some out.")]
    public List<string> Inconsistent { get; set; } = [];

    [Description("Servers whose host is quarantined (its rollback failed): kept out until lb.ready on it or a deploy that succeeds on it.")]
    public List<string> Quarantined { get; set; } = [];

    [Description("Every group with its servers: name, state, servers[name, admin, health, sessions].")]
    public List<Dictionary<string, object?>> Groups { get; set; } = [];

    internal static LoadBalancerOutputs From(LoadBalancerStatus status) => new()
    {
        Live = [.. status.GroupsIn(GroupState.Live)],
        Out = [.. status.GroupsIn(GroupState.Out)],
        Inconsistent = [.. status.GroupsIn(GroupState.Inconsistent)],
        Quarantined = [.. status.Groups.SelectMany(g => g.Quarantined ?? [])],
        Groups = status.Groups.Select(g => new Dictionary<string, object?>
        {
            ["name"] = g.Name,
            ["state"] = g.State.ToString().ToLowerInvariant(),
            ["servers"] = g.Servers.Select(s => (object?)new Dictionary<string, object?>
            {
                ["name"] = s.Name,
                ["admin"] = s.Admin.ToString().ToLowerInvariant(),
                ["health"] = s.Health.ToString().ToLowerInvariant(),
                ["sessions"] = (long)s.CurrentSessions,
            }).ToList(),
        }).ToList(),
    };
}

/// <summary>Shared plumbing: build the controller for the run's environment and report progress to the step log.</summary>
public abstract class LoadBalancerActivity<TInputs>(LoadBalancerFactory factory) : Activity<TInputs, LoadBalancerOutputs>
    where TInputs : class
{
    protected sealed override async Task<LoadBalancerOutputs> ExecuteAsync(ActivityContext<TInputs> context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);

        var environment = context.Environment ?? throw new LoadBalancerException($"{context.ActivityName} needs an environment (--env)");
        // Read from the shared store now: a host quarantined by a run on another node stays out.
        var quarantine = await Deploy.Quarantine.Of(context, environment).ForLoadBalancerAsync(environment, cancellationToken).ConfigureAwait(false);
        var controller = factory.Create(environment, context.DataDirectory, quarantine);
        var status = await ActAsync(controller, context, new SynchronousProgress(context.Log), cancellationToken).ConfigureAwait(false);
        context.Log.Info($"live: {Join(status.GroupsIn(GroupState.Live))}; out: {Join(status.GroupsIn(GroupState.Out))}"
            + (status.GroupsIn(GroupState.Inconsistent).Count > 0 ? $"; inconsistent: {Join(status.GroupsIn(GroupState.Inconsistent))}" : ""));
        return LoadBalancerOutputs.From(status);
    }

    protected abstract Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        TInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken);

    /// <summary>The action with the whole step context: an activity that decides from the state it reads records that decision here (<see
    /// cref="ActivityContext.Intent"/>).</summary>
    protected virtual Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        ActivityContext<TInputs> context,
        IProgress<string> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return ActAsync(controller, context.Input, progress, cancellationToken);
    }

    private static string Join(IReadOnlyList<string> names) => names.Count == 0 ? "none" : string.Join(", ", names);

    /// <summary>Progress&lt;T&gt; posts to the thread pool; journal lines must stay in order, so report inline.</summary>
    private sealed class SynchronousProgress(IStepLog log) : IProgress<string>
    {
        public void Report(string value) => log.Info(value);
    }
}

[Activity(
    "lb.status",
    Description = "Reads which groups are live, out or inconsistent, asked from the load balancer now.",
    Example = "uses: lb.status")]
internal sealed class LbStatusActivity(LoadBalancerFactory factory) : LoadBalancerActivity<NoInputs>(factory)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        NoInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.GetStatusAsync(cancellationToken);
}

[Activity(
    "lb.live",
    Description = "Makes exactly the given groups live and takes every other group out (drained first).",
    Example = "uses: lb.live\nwith: { groups: [group2] }")]
internal sealed class LbLiveActivity(LoadBalancerFactory factory) : LoadBalancerActivity<LbLiveActivity.Inputs>(factory)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        Inputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.SetLiveAsync(inputs.Groups, progress, cancellationToken);

    public sealed class Inputs
    {
        [Description("Groups that must be live; every other group goes out of rotation.")]
        public required List<string> Groups { get; set; }
    }
}

[Activity("lb.flip", Description = "Brings the out group live, then takes the live group out.", Example = "uses: lb.flip")]
internal sealed class LbFlipActivity(LoadBalancerFactory factory) : LoadBalancerActivity<NoInputs>(factory)
{
    private const string LiveKey = "live";
    private const string OutKey = "out";

    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        NoInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.FlipAsync(progress, cancellationToken);

    /// <summary>Decides once, from the state read the first time, and journals the decision before acting; a re-run drives to it.</summary>
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        ActivityContext<NoInputs> context,
        IProgress<string> progress,
        CancellationToken cancellationToken)
    {
        var decided =
            context.Intent.Recorded is { } recorded
            && recorded.GetValueOrDefault(LiveKey) is string live
            && recorded.GetValueOrDefault(OutKey) is string @out
                ? new FlipIntent(live, @out)
                : null;
        return controller.FlipAsync(
            decided,
            (intent, token) => context.Intent.RecordAsync(new Dictionary<string, object?> { [LiveKey] = intent.Live, [OutKey] = intent.Out }, token),
            progress,
            cancellationToken);
    }
}

[Activity("lb.all", Description = "Makes every group live.", Example = "uses: lb.all")]
internal sealed class LbAllActivity(LoadBalancerFactory factory) : LoadBalancerActivity<NoInputs>(factory)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        NoInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.AllAsync(progress, cancellationToken);
}

[Activity(
    "lb.restore",
    Description = "Brings every group whose servers are healthy back live; the usual on_failure step.",
    Example = "uses: lb.restore")]
internal sealed class LbRestoreActivity(LoadBalancerFactory factory) : LoadBalancerActivity<NoInputs>(factory)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        NoInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.RestoreAsync(progress, cancellationToken);
}

[Activity(
    "lb.drain",
    Description = "Takes one host out of rotation: drain, wait for its sessions, maintenance.",
    Example = "uses: lb.drain\nwith: { host: web1 }")]
internal sealed class LbDrainActivity(LoadBalancerFactory factory) : LoadBalancerActivity<LbHostInputs>(factory)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        LbHostInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.DrainHostAsync(inputs.Host, progress, cancellationToken);
}

[Activity(
    "lb.ready",
    Description = "Brings one host back into rotation and waits until it is healthy.",
    Example = "uses: lb.ready\nwith: { host: web1 }")]
internal sealed class LbReadyActivity(LoadBalancerFactory factory) : LoadBalancerActivity<LbHostInputs>(factory)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        LbHostInputs inputs,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.ReadyHostAsync(inputs.Host, progress, cancellationToken);
}

public sealed class LbHostInputs
{
    [Description("The load balancer's server name of the host (its lb_server, usually the host name).")]
    public required string Host { get; set; }
}
