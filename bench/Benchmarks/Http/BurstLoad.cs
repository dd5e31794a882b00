using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Gantry.Benchmarks.Http;

/// <summary>What one burst measured: every request's latency, the wall time, and the run ids it started.</summary>
internal sealed record BurstResult(string Name, IReadOnlyList<double> LatenciesMs, TimeSpan Accepted, TimeSpan Finished, IReadOnlyCollection<string> RunIds)
{
    public double Percentile(double p)
    {
        var sorted = LatenciesMs.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Max(0, Math.Ceiling(p * sorted.Count) - 1))];
    }

    public string Line() =>
        $"{Name}: {LatenciesMs.Count} accepted in {Accepted.TotalSeconds:F2} s ({LatenciesMs.Count / Accepted.TotalSeconds:F0}/s), all finished after {Finished.TotalSeconds:F2} s; " +
        $"latency ms p50 {Percentile(0.50):F1}, p95 {Percentile(0.95):F1}, p99 {Percentile(0.99):F1}, max {LatenciesMs.Max():F1}";
}

/// <summary>
/// Bounded request loops against one warm <c>gantry serve</c>: run starts from a fixed number of
/// clients, and signed GitHub push deliveries sent all at once. Each checks that every request was
/// accepted and started exactly one run, and that the server finished exactly those runs.
/// </summary>
internal sealed class BurstLoad(ServeProcess serve, string workflow, string secret) : IDisposable
{
    private readonly HttpClient _client = Client(serve);

    public async Task<BurstResult> StartsAsync(string name, int starts, int concurrency)
    {
        var latencies = new ConcurrentBag<double>();
        var ids = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < starts)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/workflows/{workflow}/runs")
                {
                    Content = new StringContent(JsonSerializer.Serialize(new { inputs = new { @ref = $"{name}-{i}" } }), Encoding.UTF8, "application/json"),
                };
                request.Headers.Add("Idempotency-Key", $"{name}-{i}");
                var started = Stopwatch.GetTimestamp();
                using var response = await _client.SendAsync(request);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                var body = await response.Content.ReadAsStringAsync();
                Expect(response.StatusCode == HttpStatusCode.Accepted, $"POST /api/workflows/{workflow}/runs #{i} answered {(int)response.StatusCode}: {body}");
                Expect(ids.TryAdd(JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!, i), $"start #{i} named a run another start had already named");
            }
        }));
        var accepted = total.Elapsed;
        await WaitFinishedAsync(ids.Keys, TimeSpan.FromMinutes(10));
        return new BurstResult(name, latencies.ToList(), accepted, total.Elapsed, ids.Keys.ToList());
    }

    /// <summary>Distinct push deliveries (distinct commits, so distinct signed bodies), all sent at once.</summary>
    public async Task<BurstResult> PushWebhooksAsync(string name, int deliveries)
    {
        var latencies = new ConcurrentBag<double>();
        var ids = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var pushedAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var bodies = Enumerable.Range(0, deliveries).Select(i => Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
        {
            @ref = "refs/heads/develop",
            before = new string('0', 40),
            after = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{name}-{i}")))[..40],
            repository = new { full_name = "acme/shop", pushed_at = pushedAt },
            pusher = new { name = "bench" },
            head_commit = new { message = $"commit {i}" },
        }))).ToList();
        var total = Stopwatch.StartNew();
        await Task.WhenAll(bodies.Select(async (body, i) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Add("X-GitHub-Event", "push");
            request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
            request.Headers.Add("X-Hub-Signature-256", Sign(body));
            var started = Stopwatch.GetTimestamp();
            using var response = await _client.SendAsync(request);
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            var text = await response.Content.ReadAsStringAsync();
            Expect(response.StatusCode == HttpStatusCode.Accepted, $"push delivery #{i} answered {(int)response.StatusCode}: {text}");
            var runs = JsonDocument.Parse(text).RootElement.GetProperty("startedRuns").EnumerateArray().Select(e => e.GetString()!).ToList();
            Expect(runs.Count == 1, $"push delivery #{i} started {runs.Count} runs, expected 1: {text}");
            Expect(ids.TryAdd(runs[0], i), $"push delivery #{i} named a run another delivery had already started");
        }));
        var accepted = total.Elapsed;
        await WaitFinishedAsync(ids.Keys, TimeSpan.FromMinutes(5));
        return new BurstResult(name, latencies.ToList(), accepted, total.Elapsed, ids.Keys.ToList());
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Polls the runs list until none of the workflow's runs is unfinished, then checks every expected run succeeded.</summary>
    private async Task WaitFinishedAsync(IEnumerable<string> expected, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while ((await ListAsync("pending,running,waiting", 1)).Count > 0)
        {
            Expect(deadline.Elapsed < timeout, $"runs of {workflow} still unfinished after {timeout.TotalMinutes:F0} min");
            await Task.Delay(50);
        }

        var succeeded = new HashSet<string>(await ListAsync("succeeded", int.MaxValue), StringComparer.Ordinal);
        var missing = expected.Where(id => !succeeded.Contains(id)).ToList();
        Expect(missing.Count == 0, $"{missing.Count} runs did not succeed, e.g. {string.Join(", ", missing.Take(3))}");
    }

    private async Task<List<string>> ListAsync(string statuses, int max)
    {
        var ids = new List<string>();
        for (var offset = 0; ids.Count < max; offset += 500)
        {
            using var page = JsonDocument.Parse(await _client.GetStringAsync($"/api/runs?workflow={workflow}&status={statuses}&limit={Math.Min(500, max)}&offset={offset}"));
            var items = page.RootElement.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("id").GetString()!).ToList();
            ids.AddRange(items);
            if (items.Count < Math.Min(500, max))
            {
                break;
            }
        }

        return ids;
    }

    /// <summary>GitHub's signature of a delivery: HMAC-SHA256 of the body with the webhook secret.</summary>
    private string Sign(byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(System.Security.Cryptography.HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private static HttpClient Client(ServeProcess serve)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = 64 };
        var client = new HttpClient(handler) { BaseAddress = serve.Address, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", serve.Token);
        return client;
    }

    private static void Expect(bool condition, string message)
    {
        if (!condition)
        {
            throw new InvalidOperationException(message);
        }
    }
}
