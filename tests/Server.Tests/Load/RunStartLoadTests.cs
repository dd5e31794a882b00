using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;
using Xunit.Abstractions;

namespace Gantry.Server.Tests.Load;

/// <summary>
/// A bounded load test over loopback HTTP: 1,000 run starts of a trivial workflow at a fixed
/// concurrency. It asserts that none is lost or duplicated; the latencies it prints go to
/// BENCHMARKS.md and are not asserted.
/// </summary>
public sealed class RunStartLoadTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Starts = 1000;
    private const int Concurrency = 16;
    private ServerFixture _server = null!;

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Start_1000RunsAt16Concurrent_NoneLostNoneDuplicated()
    {
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Concurrency };
        using var client = new HttpClient(handler) { BaseAddress = _server.Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _server.Tokens[TokenRole.Operator]);
        var ids = new ConcurrentDictionary<int, string>();
        var latencies = new ConcurrentBag<double>();
        var next = -1;
        var total = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, Concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < Starts)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/workflows/trivial/runs") { Content = ServerFixture.Json(JsonSerializer.Serialize(new { inputs = new { note = $"load {i}" } })) };
                request.Headers.Add("Idempotency-Key", $"load-{i}");
                var started = Stopwatch.GetTimestamp();
                using var response = await client.SendAsync(request);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
                ids[i] = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
            }
        }));
        var accepted = total.Elapsed;
        using var idle = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await _server.Engine.WhenIdleAsync(idle.Token);
        var finished = total.Elapsed;

        var stored = await _server.Runs.ListRunsAsync(new RunQuery { WorkflowId = "trivial", Limit = 5000 }, CancellationToken.None);
        Assert.Equal(Starts, ids.Count);
        Assert.Equal(Starts, ids.Values.Distinct().Count());
        Assert.Equal(ids.Values.Order(StringComparer.Ordinal), stored.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.All(stored, r => Assert.Equal(RunStatus.Succeeded, r.Status));
        Assert.Equal(
            Enumerable.Range(0, Starts).Select(i => $"load {i}").Order(StringComparer.Ordinal),
            stored.Select(r => (string)r.Inputs["note"]!).Order(StringComparer.Ordinal));

        var sorted = latencies.Order().ToList();
        double Percentile(double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
        output.WriteLine($"{Starts} starts at concurrency {Concurrency}: accepted in {accepted.TotalSeconds:F2} s ({Starts / accepted.TotalSeconds:F0} starts/s); all runs finished after {finished.TotalSeconds:F2} s ({Starts / finished.TotalSeconds:F0} runs/s)");
        output.WriteLine($"start latency ms: p50 {Percentile(0.50):F1}, p95 {Percentile(0.95):F1}, p99 {Percentile(0.99):F1}, max {sorted[^1]:F1}");
    }
}
