using System.Diagnostics;

namespace Gantry.Testing.Fleet;

/// <summary>
/// The issue's (#20) load against HAProxy's frontend: requests started on a fixed schedule, a given
/// number a second, whether or not the earlier ones have answered (users do not wait for each other),
/// so they overlap on concurrent connections; every n-th asks the app's <c>/slow</c> route, which
/// answers after one second. Each request has its own connection. A request fails when its connection
/// is refused or reset, it takes over 5 s, or it answers other than 2xx: a slow request cut by a
/// restart that did not wait for it is a failure. <see cref="StopAsync"/> stops starting requests and
/// waits for those in flight. Loopback only.
/// </summary>
public sealed class SteadyLoad : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly HttpClient _client = LoadRequest.NewClient();
    private readonly List<string> _failures = [];
    private readonly List<Task> _inFlight = [];
    private readonly Task _schedule;
    private int _sent;
    private int _slowSent;

    internal SteadyLoad(Uri url, int perSecond, int slowEvery, TimeSpan maxDuration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(perSecond, 1);
        _schedule = Task.Run(() => ScheduleAsync(url, perSecond, slowEvery, maxDuration));
    }

    /// <summary>Requests started so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Requests to <c>/slow</c> started so far.</summary>
    public int SlowSent => Volatile.Read(ref _slowSent);

    /// <summary>Stops starting requests, waits for those in flight and returns what they saw.</summary>
    public async Task<LoadResult> StopAsync()
    {
        await _stop.CancelAsync();
        await _schedule;
        Task[] pending;
        lock (_inFlight)
        {
            pending = [.. _inFlight];
        }

        await Task.WhenAll(pending);
        lock (_failures)
        {
            return new LoadResult(Sent, _failures.Count, _failures.ToList());
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _client.Dispose();
        _stop.Dispose();
    }

    private async Task ScheduleAsync(Uri url, int perSecond, int slowEvery, TimeSpan maxDuration)
    {
        var slowUrl = new Uri(url, "/slow");
        var clock = Stopwatch.StartNew();
        for (var n = 0; clock.Elapsed < maxDuration; n++)
        {
            // Request n is due at n / rate from the start: a late start is not made up by a later gap.
            var wait = TimeSpan.FromSeconds((double)n / perSecond) - clock.Elapsed;
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var slow = slowEvery > 0 && n % slowEvery == slowEvery - 1;
            Interlocked.Increment(ref _sent);
            if (slow)
            {
                Interlocked.Increment(ref _slowSent);
            }

            var request = RequestAsync(slow ? slowUrl : url, clock.Elapsed, slow);
            lock (_inFlight)
            {
                _inFlight.RemoveAll(t => t.IsCompleted);
                _inFlight.Add(request);
            }
        }
    }

    private async Task RequestAsync(Uri url, TimeSpan at, bool slow)
    {
        if (await LoadRequest.SendAsync(_client, url) is { } failure)
        {
            lock (_failures)
            {
                _failures.Add($"{at.TotalSeconds:0.000}s{(slow ? " /slow" : "")}: {failure}");
            }
        }
    }
}
