using System.Net.Sockets;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Staging;

/// <summary>
/// Reads every server's status and session total (<c>stot</c>) from HAProxy every 20 ms until
/// stopped, so a test can say what the load balancer did during a whole run, not only at its end.
/// </summary>
internal sealed class HAProxySampler : IAsyncDisposable
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(20);
    private readonly RealFleet _fleet;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<IReadOnlyDictionary<string, ServerSample>> _samples = [];
    private readonly Task _loop;

    private HAProxySampler(RealFleet fleet)
    {
        _fleet = fleet;
        _loop = Task.Run(LoopAsync);
    }

    public static HAProxySampler Start(RealFleet fleet) => new(fleet);

    /// <summary>Stops sampling; returns every sample, oldest first (at least one).</summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, ServerSample>>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _samples.Add(await ReadAsync(CancellationToken.None));
        return _samples;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // Disposal after a failed test: the fixture may already be gone.
        }

        _stop.Dispose();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            _samples.Add(await ReadAsync(CancellationToken.None));
            try
            {
                await Task.Delay(Interval, _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<IReadOnlyDictionary<string, ServerSample>> ReadAsync(CancellationToken cancellationToken)
    {
        var csv = await _fleet.HAProxyCommandAsync($"show stat {_fleet.HAProxyBackend} 4 -1", cancellationToken);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var (server, status, total) = (Column("svname"), Column("status"), Column("stot"));
        return lines.Skip(1).Select(l => l.Split(','))
            .ToDictionary(c => c[server], c => new ServerSample(c[status], long.Parse(c[total], System.Globalization.CultureInfo.InvariantCulture)), StringComparer.Ordinal);
    }
}

/// <param name="Status">HAProxy's status column: UP, DOWN, MAINT, DRAIN, …</param>
/// <param name="Sessions">Sessions the server has taken since HAProxy started (stot).</param>
internal sealed record ServerSample(string Status, long Sessions);
