using System.Diagnostics;

namespace Gantry.Testing.Fleet;

/// <summary>What a <see cref="LoadLoop"/> saw.</summary>
/// <param name="Sent">Requests sent.</param>
/// <param name="Failed">Requests that got a connection error, a timeout or a status other than 2xx.</param>
/// <param name="Failures">One line per failed request: time since the loop started and what went wrong.</param>
public sealed record LoadResult(int Sent, int Failed, IReadOnlyList<string> Failures);

/// <summary>
/// A bounded request loop against HAProxy's frontend: one GET after another, each on a new
/// connection (<c>Connection: close</c>), until <see cref="StopAsync"/> or its request or time
/// limit. Loopback only.
/// </summary>
public sealed class LoadLoop : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly List<string> _failures = [];
    private readonly Task _loop;
    private int _sent;

    internal LoadLoop(Uri url, TimeSpan interval, int maxRequests, TimeSpan maxDuration)
    {
        _loop = Task.Run(() => LoopAsync(url, interval, maxRequests, maxDuration));
    }

    /// <summary>Requests sent so far.</summary>
    public int Sent => Volatile.Read(ref _sent);

    /// <summary>Stops the loop and returns what it saw.</summary>
    public async Task<LoadResult> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        lock (_failures)
        {
            return new LoadResult(Sent, _failures.Count, _failures.ToList());
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task LoopAsync(Uri url, TimeSpan interval, int maxRequests, TimeSpan maxDuration)
    {
        using var client = LoadRequest.NewClient();
        var clock = Stopwatch.StartNew();
        while (!_stop.IsCancellationRequested && Sent < maxRequests && clock.Elapsed < maxDuration)
        {
            Interlocked.Increment(ref _sent);
            var at = clock.Elapsed;
            if (await LoadRequest.SendAsync(client, url) is { } failure)
            {
                lock (_failures)
                {
                    _failures.Add($"{at.TotalSeconds:0.000}s: {failure}");
                }
            }

            try
            {
                await Task.Delay(interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
