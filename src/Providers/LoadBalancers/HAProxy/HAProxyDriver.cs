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

    public HAProxyDriver(HAProxyRuntimeClient client, string backend, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(backend);
        _client = client;
        _backend = backend;
        _time = timeProvider ?? TimeProvider.System;
    }

    public async Task<IReadOnlyList<ServerState>> ReadServersAsync(CancellationToken cancellationToken)
    {
        await using var session = await _client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        var stat = await session.ShowStatAsync(_backend, cancellationToken).ConfigureAwait(false);
        var flags = await session.ShowServersStateAsync(_backend, cancellationToken).ConfigureAwait(false);
        return HAProxyServerStates.From(stat, flags);
    }

    public async Task TakeOutAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
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

    public async Task BringLiveAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var before = await ReadByNameAsync(cancellationToken).ConfigureAwait(false);
        var readying = servers.Where(s => !before.TryGetValue(s, out var state) || state.Admin != AdminState.Ready).ToList();
        await SetStateAsync(readying, AdminState.Ready, progress, cancellationToken).ConfigureAwait(false);
        await WaitForHealthAsync(servers, options, progress, cancellationToken).ConfigureAwait(false);
    }

    private async Task SetStateAsync(IReadOnlyList<string> servers, AdminState state, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        if (servers.Count == 0)
        {
            return;
        }

        await using var session = await _client.OpenSessionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var server in servers)
        {
            await session.SetServerStateAsync(_backend, server, state, cancellationToken).ConfigureAwait(false);
            progress?.Report($"{_backend}/{server}: {state.ToString().ToLowerInvariant()}");
        }
    }

    private async Task WaitForDrainAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
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
                    progress?.Report($"drain timeout of {TimeText.Format(options.DrainTimeout)} passed with sessions left on {left}; forcing maintenance");
                    return;
                }

                throw new LoadBalancerException(
                    $"drain of {left} did not finish within the drain timeout of {TimeText.Format(options.DrainTimeout)}; left in drain because ForceAfterDrainTimeout is off");
            }

            if (!reported)
            {
                progress?.Report($"waiting for sessions to finish on {left}");
                reported = true;
            }

            await Task.Delay(options.PollInterval, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitForHealthAsync(IReadOnlyList<string> servers, LoadBalancerTimings options, IProgress<string>? progress, CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        while (true)
        {
            var now = await ReadByNameAsync(cancellationToken).ConfigureAwait(false);
            var notUp = servers.Where(s => !now[s].IsLive).Select(s => now[s]).ToList();
            if (notUp.Count == 0)
            {
                progress?.Report($"{string.Join(", ", servers.Select(s => $"{_backend}/{s}"))}: up");
                return;
            }

            if (_time.GetElapsedTime(started) >= options.HealthTimeout)
            {
                var detail = string.Join("; ", notUp.Select(s => $"{_backend}/{s.Name} last check {s.LastCheck ?? "none"}"));
                throw new LoadBalancerException(
                    $"{string.Join(", ", notUp.Select(s => $"{_backend}/{s.Name}"))} did not come up within the health timeout of {TimeText.Format(options.HealthTimeout)}: {detail}");
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
