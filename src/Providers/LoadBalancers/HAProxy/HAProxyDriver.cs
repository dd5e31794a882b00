using System.Globalization;
using Gantry.Engine.Runtime;
using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>
/// <see cref="ILoadBalancerDriver"/> for one HAProxy backend through the runtime API. Waits use the
/// injected <see cref="TimeProvider"/>, so drain and health timeouts are testable without sleeping.
/// </summary>
internal sealed class HAProxyDriver : ILoadBalancerDriver
{
    private readonly HAProxyRuntimeClient _client;
    private readonly string _backend;
    private readonly TimeProvider _time;
    private readonly IUpstreamProbe? _probe;

    /// <param name="probe">
    /// Gantry's own health check of a server, asked once right before it is brought live: when every
    /// server passes it, their health is forced up at once instead of waiting for HAProxy's next
    /// checks. Null (the default) always waits for a fresh HAProxy check.
    /// </param>
    public HAProxyDriver(HAProxyRuntimeClient client, string backend, TimeProvider? timeProvider = null, IUpstreamProbe? probe = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        _client = client;
        _backend = backend;
        _time = timeProvider ?? TimeProvider.System;
        _probe = probe;
    }

    public async Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken)
    {
        var session = await _client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using var sessionScope = session.ConfigureAwait(false);
        var stat = await session.ShowStatAsync(_backend, cancellationToken).ConfigureAwait(false);
        var flags = await session.ShowServersStateAsync(_backend, cancellationToken).ConfigureAwait(false);
        return HAProxyServerStates.From(stat, flags);
    }

    public async Task TakeOutAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var before = await ReadByNameAsync(cancellationToken).ConfigureAwait(false);

        // A server already in maintenance stays there: "drain" would briefly lift its maintenance.
        var draining = servers.Where(s => !before.TryGetValue(s, out var state) || state.Admin != AdminState.Maint).ToList();
        if (draining.Count == 0)
        {
            return;
        }

        await SetStateAsync(draining, AdminState.Drain, progress, cancellationToken).ConfigureAwait(false);
        await WaitForDrainAsync(draining, options, progress, cancellationToken).ConfigureAwait(false);
        await SetStateAsync(draining, AdminState.Maint, progress, cancellationToken).ConfigureAwait(false);
    }

    public async Task BringLiveAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var started = _time.GetTimestamp();
        var before = await ReadByNameAsync(cancellationToken).ConfigureAwait(false);
        if (await PassFreshProbeAsync(servers, progress, cancellationToken).ConfigureAwait(false))
        {
            await ForceLiveAsync(servers, before, progress, cancellationToken).ConfigureAwait(false);
            await WaitForHealthAsync(servers, started, options, ready: true, progress, cancellationToken).ConfigureAwait(false);
            return;
        }

        await RecheckStaleHealthAsync(servers, progress, cancellationToken).ConfigureAwait(false);

        // Healthy first, then ready: a server that fails its checks is never put back into rotation.
        await WaitForHealthAsync(servers, started, options, ready: false, progress, cancellationToken).ConfigureAwait(false);
        var readying = servers.Where(s => !before.TryGetValue(s, out var state) || state.Admin != AdminState.Ready).ToList();
        await SetStateAsync(readying, AdminState.Ready, progress, cancellationToken).ConfigureAwait(false);
        await WaitForHealthAsync(servers, started, options, ready: true, progress, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks Gantry's own health check of every server now, once, in parallel. True only when all pass:
    /// one that fails (it may have died since its deploy) sends the whole group the slow way, where only
    /// a fresh HAProxy check brings a server up.
    /// </summary>
    private async Task<bool> PassFreshProbeAsync(IReadOnlyList<string> servers, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (_probe is null)
        {
            return false;
        }

        var answers = await Task.WhenAll(
                servers.Select(async s => (Server: s, Problem: await AskAsync(_probe, s, cancellationToken).ConfigureAwait(false))))
            .ConfigureAwait(false);
        var failed = answers.Where(a => a.Problem is not null).ToList();
        if (failed.Count > 0)
        {
            progress?.Report(
                $"{string.Join("; ", failed.Select(f => $"{_backend}/{f.Server}: {f.Problem}"))}; waiting for fresh HAProxy health checks instead");
            return false;
        }

        return true;
    }

    /// <summary>The probe's answer; a probe that cannot even ask (a health URL that does not render for this host) is a failed answer, never a failed
    /// action.</summary>
    private static async Task<string?> AskAsync(IUpstreamProbe probe, string server, CancellationToken cancellationToken)
    {
        try
        {
            return await probe.ProbeAsync(server, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"Gantry's own health check could not be asked: {ex.Message}";
        }
    }

    /// <summary>Ready, then health forced up, in one session: the probe that allows it passed milliseconds ago.</summary>
    private async Task ForceLiveAsync(
        IReadOnlyList<string> servers,
        IReadOnlyDictionary<string, ServerState> before,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var session = await _client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using var sessionScope = session.ConfigureAwait(false);
        foreach (var server in servers)
        {
            // Ready first: leaving maintenance resets HAProxy's health counter to its lowest "up"
            // value, which the forced health then sets full.
            if (!before.TryGetValue(server, out var state) || state.Admin != AdminState.Ready)
            {
                await session.SetServerStateAsync(_backend, server, AdminState.Ready, cancellationToken).ConfigureAwait(false);
            }

            await session.ForceHealthUpAsync(_backend, server, cancellationToken).ConfigureAwait(false);
        }

        progress?.Report(
            $"{string.Join(", ", servers.Select(s => $"{_backend}/{s}"))}: Gantry's own health check passed just now; health set up and ready "
            + "(HAProxy's checks go on)");
    }

    /// <summary>
    /// Checks are paused in maintenance and HAProxy reports the health a server had when it went in,
    /// so a server that died meanwhile would read UP. Such servers go to drain (checks resume, no new
    /// traffic) with their health forced down, so only a fresh passing check reports them up.
    /// </summary>
    private async Task RecheckStaleHealthAsync(IReadOnlyList<string> servers, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        const int CheckConfigured = 0x02;
        var session = await _client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using var sessionScope = session.ConfigureAwait(false);
        var table = await session.ShowServersStateAsync(_backend, cancellationToken).ConfigureAwait(false);
        var stale = table.Rows
            .Where(r => servers.Contains(r["srv_name"], StringComparer.Ordinal)
                && HAProxyServersState.AdminFromFlags(int.Parse(r["srv_admin_state"], CultureInfo.InvariantCulture)) == AdminState.Maint
                && (int.Parse(r["srv_check_state"], CultureInfo.InvariantCulture) & CheckConfigured) != 0)
            .Select(r => r["srv_name"])
            .ToList();
        foreach (var server in stale)
        {
            await session.SetServerStateAsync(_backend, server, AdminState.Drain, cancellationToken).ConfigureAwait(false);
            await session.ForgetHealthAsync(_backend, server, cancellationToken).ConfigureAwait(false);
            progress?.Report($"{_backend}/{server}: drain until a fresh health check passes");
        }
    }

    private async Task SetStateAsync(
        IReadOnlyList<string> servers,
        AdminState state,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        if (servers.Count == 0)
        {
            return;
        }

        var session = await _client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        await using var sessionScope = session.ConfigureAwait(false);
        foreach (var server in servers)
        {
            LeaseGuard.ThrowIfLost();
            await session.SetServerStateAsync(_backend, server, state, cancellationToken).ConfigureAwait(false);
            progress?.Report($"{_backend}/{server}: {state.ToString().ToLowerInvariant()}");
        }
    }

    private async Task WaitForDrainAsync(
        IReadOnlyList<string> servers,
        LoadBalancerTimings options,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        var reported = false;
        while (true)
        {
            var now = await ReadByNameAsync(cancellationToken).ConfigureAwait(false);
            var busy = servers.Where(s => now[s].CurrentSessions > 0).Select(s => now[s]).ToList();
            if (busy.Count == 0)
            {
                return;
            }

            var left = string.Join(", ", busy.Select(s => $"{_backend}/{s.Name} ({Sessions(s.CurrentSessions)})"));
            if (_time.GetElapsedTime(started) >= options.DrainTimeout)
            {
                if (options.ForceAfterDrainTimeout)
                {
                    progress?.Report(
                        $"drain timeout of {TimeText.Format(options.DrainTimeout)} passed with sessions left on {left}; forcing maintenance");
                    return;
                }

                throw new LoadBalancerException(
                    $"drain of {left} did not finish within the drain timeout of {TimeText.Format(options.DrainTimeout)}; left in drain because "
                    + "ForceAfterDrainTimeout is off");
            }

            if (!reported)
            {
                progress?.Report($"waiting for sessions to finish on {left}");
                reported = true;
            }

            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Waits until no server is down or, once <paramref name="ready"/>, until every server is live.</summary>
    private async Task WaitForHealthAsync(
        IReadOnlyList<string> servers,
        long started,
        LoadBalancerTimings options,
        bool ready,
        IProgress<string>? progress,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = await ReadByNameAsync(cancellationToken).ConfigureAwait(false);
            var notUp = servers.Where(s => ready ? !now[s].IsLive : now[s].Health == HealthState.Down).Select(s => now[s]).ToList();
            if (notUp.Count == 0)
            {
                if (ready)
                {
                    progress?.Report($"{string.Join(", ", servers.Select(s => $"{_backend}/{s}"))}: up");
                }

                return;
            }

            if (_time.GetElapsedTime(started) >= options.HealthTimeout)
            {
                var detail = string.Join("; ", notUp.Select(s => $"{_backend}/{s.Name} last check {s.LastCheck ?? "none"}"));
                throw new LoadBalancerException(
                    $"{string.Join(", ", notUp.Select(s => $"{_backend}/{s.Name}"))} did not come up within the health timeout of "
                    + $"{TimeText.Format(options.HealthTimeout)}: {detail}");
            }

            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyDictionary<string, ServerState>> ReadByNameAsync(CancellationToken cancellationToken)
    {
        var servers = await ReadServersAsync(cancellationToken).ConfigureAwait(false);
        return servers.ToDictionary(s => s.Name, StringComparer.Ordinal);
    }

    private static string Sessions(int count) => count == 1 ? "1 session" : $"{count} sessions";
}
