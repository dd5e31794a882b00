using System.Diagnostics;
using System.Text.Json;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// Reads the sandbox load balancer's state straight from its state file (what <c>lb.status</c> reads,
/// written by every process of the test) every 20 ms for the whole test, independently of Gantry's
/// journal, and keeps every moment at which fewer than <c>min_live_groups</c> groups were live or both
/// groups were out.
/// </summary>
internal sealed class SandboxLoadBalancerSampler : IAsyncDisposable
{
    private static readonly TimeSpan Every = TimeSpan.FromMilliseconds(20);
    private readonly string _stateFile;
    private readonly IReadOnlyDictionary<string, string[]> _groups;
    private readonly int _minLiveGroups;
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<string> _violations = [];
    private readonly Task _loop;

    /// <param name="stateFile">The sandbox environment's state file (.gantry/sandbox/ENV.json).</param>
    /// <param name="groups">Group → its load balancer server names.</param>
    public SandboxLoadBalancerSampler(string stateFile, IReadOnlyDictionary<string, string[]> groups, int minLiveGroups)
    {
        _stateFile = stateFile;
        _groups = groups;
        _minLiveGroups = minLiveGroups;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Samples taken in which the state file existed.</summary>
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
            Sample();
            var now = _clock.Elapsed;
            LongestGap = now - last > LongestGap ? now - last : LongestGap;
            last = now;
            try
            {
                await Task.Delay(Every, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void Sample()
    {
        if (!File.Exists(_stateFile))
        {
            return;
        }

        // Written by rename, so a read sees a whole file; a rename between the check and the read is retried next time.
        string text;
        try
        {
            text = File.ReadAllText(_stateFile);
        }
        catch (FileNotFoundException)
        {
            return;
        }

        using var state = JsonDocument.Parse(text);
        var servers = state.RootElement.GetProperty("servers");
        var live = new List<string>();
        var @out = new List<string>();
        foreach (var (group, names) in _groups)
        {
            var states = names.Select(n => servers.TryGetProperty(n, out var s) ? (Admin: s.GetProperty("admin").GetString(), Health: s.GetProperty("health").GetString()) : (Admin: "Ready", Health: "Up")).ToList();
            if (states.All(s => s.Admin == "Ready" && s.Health != "Down"))
            {
                live.Add(group);
            }
            else if (states.All(s => s.Admin != "Ready"))
            {
                @out.Add(group);
            }
        }

        Samples++;
        if (live.Count < _minLiveGroups || @out.Count == _groups.Count)
        {
            lock (_violations)
            {
                _violations.Add($"at {_clock.Elapsed.TotalSeconds:F2} s: live [{string.Join(", ", live)}], out [{string.Join(", ", @out)}]; servers {servers.GetRawText()}");
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
