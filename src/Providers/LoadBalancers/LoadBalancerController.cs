namespace Gantry.Providers.LoadBalancers;

/// <summary>
/// Moves groups of servers in and out of rotation through any <see cref="ILoadBalancerDriver"/>.
/// State is always asked from the load balancer, never remembered; an action that would leave
/// fewer than <c>min_live_groups</c> live groups is refused before anything is touched; and live
/// capacity is added before any is removed.
/// </summary>
public sealed class LoadBalancerController
{
    private readonly ILoadBalancerDriver _driver;
    private readonly IReadOnlyDictionary<string, IReadOnlyList<string>> _groups;
    private readonly int _minLiveGroups;
    private readonly LoadBalancerTimings _timings;
    private readonly ServerQuarantine _quarantine;

    /// <summary>Creates a controller.</summary>
    /// <param name="driver">The product driver (HAProxy, nginx, sandbox).</param>
    /// <param name="groups">Group name → the load balancer's server names, in the order to report them.</param>
    /// <param name="minLiveGroups">Fewest live groups an action may leave. The default value is 1.</param>
    /// <param name="timings">Drain and health waits. The default value is <see cref="LoadBalancerTimings"/>' defaults.</param>
    /// <param name="quarantine">Servers whose host is quarantined: never brought live except by <see cref="ReadyHostAsync"/> on them. The default
    /// value is none.</param>
    /// <exception cref="ArgumentException">The groups or the minimum are invalid; every problem is listed.</exception>
    public LoadBalancerController(
        ILoadBalancerDriver driver,
        IReadOnlyDictionary<string, IReadOnlyList<string>> groups,
        int minLiveGroups = 1,
        LoadBalancerTimings? timings = null,
        ServerQuarantine? quarantine = null)
    {
        ArgumentNullException.ThrowIfNull(driver);
        ArgumentNullException.ThrowIfNull(groups);
        LoadBalancerGroupsValidator.ThrowIfInvalid(groups, minLiveGroups);
        _driver = driver;
        _groups = groups;
        _minLiveGroups = minLiveGroups;
        _timings = timings ?? new LoadBalancerTimings();
        _quarantine = quarantine ?? ServerQuarantine.None;
    }

    /// <summary>Reads every group's state fresh from the load balancer.</summary>
    public async Task<LoadBalancerStatus> GetStatusAsync(CancellationToken cancellationToken = default)
    {
        var servers = await _driver.ReadServersAsync(cancellationToken).ConfigureAwait(false);
        return GroupStatusEvaluator.Evaluate(_groups, servers, _quarantine.Servers.Keys.ToList());
    }

    /// <summary>Makes exactly <paramref name="groups"/> live and every other group out (<c>lb.live</c>).</summary>
    public Task<LoadBalancerStatus> SetLiveAsync(
        IReadOnlyCollection<string> groups,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var problems = new List<string>();
        if (groups.Count == 0)
        {
            problems.Add("lb.live needs at least one group to make live");
        }

        problems.AddRange(groups.Where(g => !_groups.ContainsKey(g))
            .Select(g => $"lb.live: unknown group \"{g}\"; known groups are {string.Join(", ", _groups.Keys)}"));
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(Environment.NewLine, problems), nameof(groups));
        }

        var wanted = groups.ToHashSet(StringComparer.Ordinal);
        return RunGroupsAsync($"lb.live [{string.Join(", ", groups)}]", _ => wanted, progress, cancellationToken);
    }

    /// <summary>
    /// Swaps the live group and the out group (<c>lb.flip</c>): the out group is brought live first,
    /// then the live group is taken out. Needs exactly one live and one out group.
    /// </summary>
    public Task<LoadBalancerStatus> FlipAsync(IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        FlipAsync(null, (_, _) => Task.CompletedTask, progress, cancellationToken);

    /// <summary>
    /// <c>lb.flip</c> that converges when run again. With no <paramref name="decided"/> intent it reads the
    /// state, decides which group goes live (the out one) and which goes out (the live one), hands that to
    /// <paramref name="record"/> (the journal) before touching anything, then acts. With a
    /// <paramref name="decided"/> intent (an earlier try of the step recorded it, and may have flipped
    /// already) it does not decide again: it drives the load balancer to that intent, which does nothing
    /// when the flip had happened, and never flips back.
    /// </summary>
    public async Task<LoadBalancerStatus> FlipAsync(
        FlipIntent? decided,
        Func<FlipIntent, CancellationToken, Task> record,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (decided is null)
        {
            decided = DecideFlip(await GetStatusAsync(cancellationToken).ConfigureAwait(false));
            await record(decided, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            if (!_groups.ContainsKey(decided.Live) || !_groups.ContainsKey(decided.Out))
            {
                throw new LoadBalancerException(
                    $"lb.flip: the recorded intent names groups this environment does not have ({decided.Live} live, {decided.Out} out); known "
                    + $"groups are {string.Join(", ", _groups.Keys)}");
            }

            progress?.Report($"lb.flip: going on with the recorded intent, {decided.Live} live and {decided.Out} out");
        }

        var live = decided.Live;
        return await RunGroupsAsync("lb.flip", _ => new HashSet<string>([live], StringComparer.Ordinal), progress, cancellationToken)
            .ConfigureAwait(false);
    }

    private static FlipIntent DecideFlip(LoadBalancerStatus status)
    {
        var live = status.GroupsIn(GroupState.Live);
        var @out = status.GroupsIn(GroupState.Out);
        if (status.Groups.Count != 2 || live.Count != 1 || @out.Count != 1)
        {
            throw new LoadBalancerException(
                $"lb.flip needs exactly one live and one out group, found: {string.Join(", ", status.Groups.Select(GroupStatusEvaluator.Describe))}");
        }

        return new FlipIntent(@out[0], live[0]);
    }

    /// <summary>Makes every group live (<c>lb.all</c>).</summary>
    public Task<LoadBalancerStatus> AllAsync(IProgress<string>? progress = null, CancellationToken cancellationToken = default) =>
        RunGroupsAsync("lb.all", _ => _groups.Keys.ToHashSet(StringComparer.Ordinal), progress, cancellationToken);

    /// <summary>
    /// Brings live every group none of whose servers is known to be down (<c>lb.restore</c>, the
    /// usual failure handler). Takes nothing out. Groups are restored one by one, so a group that
    /// fails its health checks does not keep the others out; such failures are reported together
    /// at the end.
    /// </summary>
    /// <exception cref="LoadBalancerException">Some groups could not be brought live; the others were.</exception>
    public async Task<LoadBalancerStatus> RestoreAsync(IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var before = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var failures = new List<string>();
        foreach (var group in before.Groups.Where(g => g.State != GroupState.Live && g.Serving.All(s => s.Health != HealthState.Down)))
        {
            var servers = group.Serving.Where(s => !s.IsLive).Select(s => s.Name).ToList();
            try
            {
                await ApplyAsync($"lb.restore {group.Name}", before, servers, [], progress, cancellationToken).ConfigureAwait(false);
            }
            catch (LoadBalancerException e)
            {
                failures.Add($"{group.Name}: {e.Message}");
            }
        }

        var after = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        if (failures.Count > 0)
        {
            throw new LoadBalancerException(
                $"lb.restore could not bring live {string.Join("; ", failures)}. Now: "
                + $"{string.Join(", ", after.Groups.Select(GroupStatusEvaluator.Describe))}");
        }

        return after;
    }

    /// <summary>Takes one server out of rotation: drain, wait for its sessions, maintenance.</summary>
    public async Task<LoadBalancerStatus> DrainHostAsync(
        string server,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var before = await GetStatusForServerAsync("lb.drain", server, cancellationToken).ConfigureAwait(false);
        return await ApplyAsync($"lb.drain {server}", before, [], [server], progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Brings one server back into rotation and waits until it is healthy.</summary>
    public async Task<LoadBalancerStatus> ReadyHostAsync(
        string server,
        IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var before = await GetStatusForServerAsync("lb.ready", server, cancellationToken).ConfigureAwait(false);
        var after = await ApplyAsync($"lb.ready {server}", before, [server], [], progress, cancellationToken).ConfigureAwait(false);
        if (_quarantine.Servers.ContainsKey(server))
        {
            // lb.ready on a quarantined host is the explicit "I checked it" that brings it back.
            await _quarantine.Release(server, cancellationToken).ConfigureAwait(false);
            progress?.Report($"lb.ready {server}: {server} is out of quarantine");
            return await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        }

        return after;
    }

    private async Task<LoadBalancerStatus> GetStatusForServerAsync(string action, string server, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(server);
        if (!_groups.Values.Any(g => g.Contains(server, StringComparer.Ordinal)))
        {
            throw new ArgumentException(
                $"{action}: server \"{server}\" is in no group; known servers are {string.Join(", ", _groups.Values.SelectMany(g => g))}",
                nameof(server));
        }

        return await GetStatusAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<LoadBalancerStatus> RunGroupsAsync(
        string action,
        Func<LoadBalancerStatus, IReadOnlySet<string>> chooseLive,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var before = await GetStatusAsync(cancellationToken).ConfigureAwait(false);
        var wanted = chooseLive(before);
        var bringLive = before.Groups.Where(g => wanted.Contains(g.Name))
            .SelectMany(g => g.Serving.Where(s => !s.IsLive).Select(s => s.Name))
            .ToList();
        var held = before.Groups.Where(g => wanted.Contains(g.Name)).SelectMany(g => g.Quarantined ?? []).ToList();
        if (held.Count > 0)
        {
            progress?.Report(
                $"{action}: leaving {string.Join(", ", held)} out: quarantined "
                + $"({string.Join("; ", held.Select(s => $"{s}: {_quarantine.Servers[s]}"))})");
        }

        var takeOut = before.Groups.Where(g => !wanted.Contains(g.Name))
            .SelectMany(g => g.Servers.Where(s => s.Admin != AdminState.Maint).Select(s => s.Name))
            .ToList();
        return await ApplyAsync(action, before, bringLive, takeOut, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task<LoadBalancerStatus> ApplyAsync(
        string action,
        LoadBalancerStatus before,
        IReadOnlyList<string> bringLive,
        IReadOnlyList<string> takeOut,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        LiveGroupsGuard.Ensure(
            action,
            before,
            bringLive.ToHashSet(StringComparer.Ordinal),
            takeOut.ToHashSet(StringComparer.Ordinal),
            _minLiveGroups);

        // Live capacity first, so the number of serving servers never dips during the action.
        if (bringLive.Count > 0)
        {
            progress?.Report($"{action}: bringing live {string.Join(", ", bringLive)}");
            await _driver.BringLiveAsync(bringLive, _timings, progress, cancellationToken).ConfigureAwait(false);
        }

        if (takeOut.Count > 0)
        {
            progress?.Report($"{action}: taking out {string.Join(", ", takeOut)}");
            await _driver.TakeOutAsync(takeOut, _timings, progress, cancellationToken).ConfigureAwait(false);
        }

        return await GetStatusAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What an <c>lb.flip</c> decided: <paramref name="Live"/> goes live, <paramref name="Out"/> goes out.</summary>
public sealed record FlipIntent(string Live, string Out);
