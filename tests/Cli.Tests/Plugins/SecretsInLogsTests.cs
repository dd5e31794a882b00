using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Gantry.Cli.Tests.Durable;
using Gantry.Server.Security;
using Gantry.Testing.Fleet;

namespace Gantry.Cli.Tests.Plugins;

/// <summary>
/// A plugin's failures reach the log of a real <c>gantry run</c> and <c>gantry serve</c> masked with the run's secrets:
/// the ChatAudit test plugin throws with its chat webhook token (a secret of the run's environment) in the message and
/// in the inner exception, from a journal observer and from an activity's construction.
/// </summary>
public sealed class SecretsInLogsTests : IDisposable
{
    // The shape of a Slack incoming-webhook path: what a team keeps in a secret store and passes in the environment.
    private const string Token = "T04B7QZ1K/B06LJ2M9X3R/q8ZtW3vN5yH1kPd7RmX2sLbC";

    private const string Environment = """
        id: chat
        hosts:
          web1: { address: 127.0.0.1 }
        groups:
          group1: { hosts: [web1] }
        secrets:
          chat_token: { env: CHAT_AUDIT_TOKEN }
        """;

    private const string Audited = """
        id: audited
        steps:
          - id: greet
            uses: log
            with: { message: hello }
        """;

    // Audited, then a step whose activity cannot even be created.
    private static readonly string Announced = Audited.Replace("id: audited", "id: announced", StringComparison.Ordinal) + """

          - id: announce
            uses: chat.audit
            with: { text: deployed }
        """;

    private static readonly Dictionary<string, string> WithToken = new() { ["CHAT_AUDIT_TOKEN"] = Token };

    private readonly TempWorkspace _workspace = new();

    public SecretsInLogsTests()
    {
        _workspace.Write("workflows/environments/chat.yaml", Environment + "\n");
        _workspace.Write("workflows/audited.yaml", Audited + "\n");
        _workspace.Write("workflows/announced.yaml", Announced + "\n");
        var plugin = Path.Combine(AppContext.BaseDirectory, "test-plugins", "ChatAudit.Plugin");
        var target = Directory.CreateDirectory(Path.Combine(_workspace.Root, "plugins", "ChatAudit.Plugin")).FullName;
        foreach (var file in Directory.GetFiles(plugin))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    public void Dispose() => _workspace.Dispose();

    [Fact]
    public async Task Run_ObserverThrowsWithTheEnvironmentsSecret_StderrLogsTheWholeFailureMaskedNeverTheSecret()
    {
        using var run = GantryProcess.Start(_workspace.Root, "30s", WithToken, "run", "audited", "--env", "chat");
        await run.WaitForExitAsync(TimeSpan.FromMinutes(2));

        // The console log writes an entry over several lines: its category, its scope, the message, then the exception.
        var errors = string.Join('\n', run.Errors);
        Assert.DoesNotContain(Token, string.Join('\n', run.Output), StringComparison.Ordinal);
        var runId = Regex.Match(errors, @"=> run (\S+) step steps\[0\]").Groups[1].Value;
        Assert.True(runId.Length > 0, errors);
        Assert.Contains("warn: Gantry.Engine.Runtime.WorkflowEngine[3001]", errors, StringComparison.Ordinal);
        Assert.Contains($"A journal observer (ChatAuditObserver) failed on event step.succeeded of run {runId}; the run goes on", errors, StringComparison.Ordinal);
        Assert.Contains(
            $"System.InvalidOperationException: chat audit: posting step greet of run {runId} to https://hooks.chat.example/services/*** failed",
            errors,
            StringComparison.Ordinal);
        Assert.Contains("---> System.Net.Http.HttpRequestException: 503 Service Unavailable for token ***", errors, StringComparison.Ordinal);
        Assert.Contains("at ChatAudit.Plugin.ChatAuditObserver.OnEvent(", errors, StringComparison.Ordinal);
        Assert.Contains(run.Output, line => line.Contains("succeeded", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Serve_ObserverAndActivityThrowWithTheEnvironmentsSecret_ObserverLoggedMaskedActivityFailsItsStepMasked()
    {
        string token;
        await using (var stores = await Gantry.Engine.Stores.RunStoreFactory.OpenAsync(null, _workspace.Root, TimeProvider.System, CancellationToken.None))
        {
            token = await new TokenStore(stores.Tokens).CreateAsync("test-operator", TokenRole.Operator, TimeProvider.System, null, CancellationToken.None);
        }

        var port = ServeWithPluginsTests.FreePort();
        using var serve = GantryProcess.Start(_workspace.Root, "30s", WithToken, "serve", "--urls", $"http://127.0.0.1:{port}");
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        await ServeWithPluginsTests.WaitUntilServingAsync(serve, client);

        using var start = await client.PostAsync("/api/workflows/announced/runs", JsonContent.Create(new { environment = "chat" }));
        var startText = await start.Content.ReadAsStringAsync();
        Assert.True(start.StatusCode == HttpStatusCode.Accepted, startText);
        var runId = JsonDocument.Parse(startText).RootElement.GetProperty("id").GetString()!;

        // The activity's construction throws before its step starts: the step fails, journaled and masked like any step
        // failure. (It used to escape the execution: the run failed outside its journal and the takeover worker claimed it
        // again on every poll.)
        var observer = await LoggedAsync(
            serve,
            $"warn: Gantry.Engine.Runtime.WorkflowEngine[3001] A journal observer (ChatAuditObserver) failed on event step.succeeded of run {runId}; the run goes on ");
        var shown = await Eventually.ValueAsync(
            async () =>
            {
                var text = await client.GetStringAsync($"/api/runs/{runId}");
                var status = JsonDocument.Parse(text).RootElement.GetProperty("run").GetProperty("status").GetString();
                return status == "failed" ? text : null;
            },
            async () => $"run {runId} ends failed:\n{await client.GetStringAsync($"/api/runs/{runId}")}\n{string.Join('\n', serve.Output)}",
            TimeSpan.FromMinutes(2),
            every: TimeSpan.FromMilliseconds(100));

        var detail = JsonDocument.Parse(shown).RootElement;
        var failed = detail.GetProperty("journal").EnumerateArray()
            .Single(e => e.GetProperty("type").GetString() == "step.failed" && e.GetProperty("stepId").GetString() == "announce");
        Assert.Equal(
            "chat audit: posting the webhook check to https://hooks.chat.example/services/*** failed",
            failed.GetProperty("error").GetProperty("message").GetString());
        Assert.DoesNotContain(Token, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(serve.Output, line => line.Contains(Token, StringComparison.Ordinal));
        Assert.DoesNotContain(serve.Output, line => line.Contains("[3002]", StringComparison.Ordinal));
        Assert.Contains(
            $"System.InvalidOperationException: chat audit: posting step greet of run {runId} to https://hooks.chat.example/services/*** failed  "
            + "---> System.Net.Http.HttpRequestException: 503 Service Unavailable for token ***",
            observer,
            StringComparison.Ordinal);
    }

    /// <summary>The first line of the server's output that starts with <paramref name="prefix"/>, once it is there.</summary>
    private static Task<string> LoggedAsync(GantryProcess serve, string prefix) =>
        Eventually.ValueAsync(
            () => Task.FromResult(serve.Output.FirstOrDefault(line => line.StartsWith(prefix, StringComparison.Ordinal))),
            () => Task.FromResult($"gantry serve logs a line starting '{prefix}':\n" + string.Join('\n', serve.Output)),
            TimeSpan.FromMinutes(2),
            every: TimeSpan.FromMilliseconds(100));
}
