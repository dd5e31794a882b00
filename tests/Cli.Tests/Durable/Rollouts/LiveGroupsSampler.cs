using System.Diagnostics;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>One load balancer server as a sampler sees it.</summary>
/// <param name="Ready">In rotation as far as the operator's state goes (not drained, not in maintenance).</param>
/// <param name="Healthy">Its health check passes (not down).</param>
internal sealed record ServerState(bool Ready, bool Healthy);

/// <summary>
/// Reads a load balancer's servers straight from the load balancer every 20 ms for the whole test, independently
/// of Gantry's journal, and keeps every moment at which fewer than <c>min_live_groups</c> groups were live (every
/// server ready and healthy) or every group was out (no server ready).
/// </summary>
internal sealed class LiveGroupsSampler : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(20);
    private readonly Func<CancellationToken, Task<IReadOnlyDictionary<string, ServerState>?>> _read;
    private readonly IReadOnlyDictionary<string, string[]> _groups;
    private readonly int _minLiveGroups;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _violations = [];
    private readonly Task _loop;

    /// <param name="read">Reads every server's state now; null when the load balancer has no state yet (the sandbox before its first write).</param>
    /// <param name="groups">Group → its load balancer server names.</param>
    public LiveGroupsSampler(Func<CancellationToken, Task<IReadOnlyDictionary<string, ServerState>?>> read, IReadOnlyDictionary<string, string[]> groups, int minLiveGroups)
    {
        _read = read;
        _groups = groups;
        _minLiveGroups = minLiveGroups;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Samples taken in which the load balancer had a state.</summary>
    public int Samples { get; private set; }

    /// <summary>The longest time between two samples (a busy machine stretches the 20 ms).</summary>
    public TimeSpan LongestGap { get; private set; }

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Every sample that broke the rule, with the servers' states then.</summary>
    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_violations)
            {
                return [.. _violations];
            }
        }
    }

    private async Task LoopAsync()
    {
        var last = _clock.Elapsed;
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (await _read(_stop.Token) is { } servers)
                {
                    Check(servers);
                }

                var now = _clock.Elapsed;
                LongestGap = now - last > LongestGap ? now - last : LongestGap;
                last = now;
                await Task.Delay(Every, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private void Check(IReadOnlyDictionary<string, ServerState> servers)
    {
        var live = new List<string>();
        var @out = new List<string>();
        foreach (var (group, names) in _groups)
        {
            // A server the load balancer does not list yet has never been touched: ready and healthy.
            var states = names.Select(n => servers.GetValueOrDefault(n) ?? new ServerState(true, true)).ToList();
            if (states.All(s => s.Ready && s.Healthy))
            {
                live.Add(group);
            }
            else if (states.All(s => !s.Ready))
            {
                @out.Add(group);
            }
        }

        Samples++;
        if (live.Count < _minLiveGroups || @out.Count == _groups.Count)
        {
            lock (_violations)
            {
                _violations.Add($"at {_clock.Elapsed.TotalSeconds:F2} s: live [{string.Join(", ", live)}], out [{string.Join(", ", @out)}]; servers {string.Join(", ", servers.Select(s => $"{s.Key}={s.Value}"))}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}
