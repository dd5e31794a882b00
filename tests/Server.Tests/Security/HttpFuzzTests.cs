using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Gantry.Server.Security;
using Gantry.Server.Tests.Fixtures;
using Xunit.Abstractions;

namespace Gantry.Server.Tests.Security;

/// <summary>
/// Generated and mutated definitions and signal and webhook payloads against a real server for about
/// 25 seconds: no 5xx, every rejection a problem+json that says where, each answer under 1 s per MB,
/// the process under 200 MB more than at the start, and <c>/healthz</c> answering after each batch.
/// </summary>
public sealed class HttpFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(25);
    private const int BatchSize = 50;
    private const long MaxGrowthBytes = 200L * 1024 * 1024;
    private static readonly string[] Snippets = ["&a", "*a", "&b [*a, *a, *a, *a]", "{{", "}}", "{{ secrets.x | string.upcase }}", "{%{", "\"", "{", "}", "[", "]", ":", ",", "\n", "\t", "- ", "!!str", "1e400", "\\u0000"];
    private ServerFixture _server = null!;

    private readonly ErrorLog _errors = new();

    public async Task InitializeAsync() => _server = await ServerFixture.StartAsync(configureServices: s => s.AddSingleton<ILoggerProvider>(_errors));

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Server_UnderMutatedDocumentsAndPayloads_AnswersEveryRequestWithoutAFault()
    {
        var waiting = await _server.StartRunAsync("approval", new { });
        await _server.WaitForStatusAsync(waiting, RunStatus.Waiting);
        using var operatorClient = _server.Client(TokenRole.Operator);
        using var anonymous = _server.Client();
        var seeds = new[] { TestWorkflows.Trivial, TestWorkflows.Approval, File.ReadAllText(Path.Combine(_server.Workspace, "workflows", "hotfix.yaml")), """{"approved":true,"comment":"ok"}""", GitHubEvents.PullRequestMerged("hotfix/3.0.1"), GitHubEvents.Status(new string('a', 40), "success") };
        var random = new Random(19);
        var baseline = Process.GetCurrentProcess().WorkingSet64;
        var watch = Stopwatch.StartNew();
        var requests = 0;
        var faults = new List<string>();
        while (watch.Elapsed < Duration && faults.Count == 0)
        {
            for (var i = 0; i < BatchSize; i++, requests++)
            {
                var body = Mutate(seeds[random.Next(seeds.Length)], random);
                var (request, client, located) = (random.Next(4)) switch
                {
                    0 => (new HttpRequestMessage(HttpMethod.Post, "/api/definitions/fuzz/validate") { Content = ServerFixture.Yaml(body) }, operatorClient, true),
                    1 => (new HttpRequestMessage(HttpMethod.Post, $"/api/runs/{waiting}/signals/fuzz") { Content = ServerFixture.Json(body) }, operatorClient, false),
                    2 => (new HttpRequestMessage(HttpMethod.Post, "/api/runs/no-such-run/signals/approve") { Content = ServerFixture.Json(body) }, operatorClient, false),
                    _ => (Webhook(body, random), anonymous, false),
                };
                var sent = Stopwatch.StartNew();
                using var response = await client.SendAsync(request);
                var text = await response.Content.ReadAsStringAsync();
                request.Dispose();
                // As in HostileDocumentFuzzTests: 1 s per MB, at least 3 s, since a small body may
                // legally expand to the reader's value limit; the bound catches super-linear cost.
                var budget = TimeSpan.FromSeconds(Math.Max(3, Encoding.UTF8.GetByteCount(body) / 1_000_000.0));
                var fault = Fault(response, text, located) ?? (sent.Elapsed > budget ? $"took {sent.Elapsed}" : null);
                if (fault is not null)
                {
                    faults.Add($"{request.Method} {request.RequestUri}: {fault}\n--- server errors ---\n{string.Join("\n", _errors.Entries)}\n--- body ---\n{body}");
                    break;
                }
            }

            using var health = await anonymous.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var growth = Process.GetCurrentProcess().WorkingSet64 - baseline;
            Assert.True(growth < MaxGrowthBytes, $"the process grew by {growth / 1024 / 1024} MB after {requests} requests");
        }

        output.WriteLine($"{requests} requests in {watch.Elapsed.TotalSeconds:F1} s");
        Assert.True(faults.Count == 0, string.Join("\n", faults));
        Assert.True(requests >= BatchSize, $"only {requests} requests");
    }

    /// <summary>Why an answer is a fault: a 5xx, a rejection that is not problem+json, or a 400 on a document that names no line.</summary>
    private static string? Fault(HttpResponseMessage response, string text, bool located)
    {
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            return $"{status}: {text}";
        }

        if (status < 400)
        {
            return null;
        }

        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"{status} without problem+json: {text}";
        }

        var problem = JsonDocument.Parse(text).RootElement;
        if (!located || status != 400)
        {
            return problem.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } ? null : $"{status} without a detail: {text}";
        }

        var errors = problem.GetProperty("errors").EnumerateArray().ToList();
        return errors.Count > 0 && errors.All(e => e.GetProperty("line").GetInt32() >= 1 && e.GetProperty("column").GetInt32() >= 1) ? null : $"400 with an error that names no position: {text}";
    }

    private static HttpRequestMessage Webhook(string body, Random random)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/github") { Content = ServerFixture.Json(body) };
        request.Headers.Add("X-GitHub-Event", random.Next(4) switch { 0 => "push", 1 => "pull_request", 2 => "status", _ => "check_suite" });
        request.Headers.Add("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.Add(GitHubSignature.Header, GitHubSignature.Sign(ServerFixture.WebhookSecret, Encoding.UTF8.GetBytes(body)));
        return request;
    }

    private static string Mutate(string seed, Random random)
    {
        var text = new StringBuilder(seed);
        for (var i = random.Next(1, 8); i > 0; i--)
        {
            var at = random.Next(text.Length + 1);
            if (random.Next(3) == 0 && at < text.Length)
            {
                text.Remove(at, Math.Min(random.Next(1, 6), text.Length - at));
            }
            else
            {
                text.Insert(at, Snippets[random.Next(Snippets.Length)]);
            }
        }

        return text.ToString();
    }

    /// <summary>The server's errors (with exceptions), so a 500 names its cause in the test's failure.</summary>
    private sealed class ErrorLog : ILoggerProvider, ILogger
    {
        public System.Collections.Concurrent.ConcurrentQueue<string> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                Entries.Enqueue($"{formatter(state, exception)} {exception}");
            }
        }

        public void Dispose()
        {
        }
    }
}
