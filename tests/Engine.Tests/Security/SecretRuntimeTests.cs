using System.ComponentModel;
using System.Text.Json;
using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Engine.Tests.Security;

/// <summary>At run time: secrets reach only sensitive inputs, unchanged and masked; data is never rendered twice; every journal field is masked.</summary>
public sealed class SecretRuntimeTests
{
    private const string SecretValue = "literal-secret-value";

    private const string EnvironmentText = $$"""
        id: vault
        repository: { url: "https://deployer:repo-token-123@git.example.invalid/team/app.git" }
        hosts:
          web1: { address: 10.0.0.1 }
        groups:
          group1: { hosts: [web1] }
        secrets:
          api: { value: {{SecretValue}} }
        """;

    private readonly Probe.Received _received = new();
    private readonly WorkflowEngine _engine;
    private readonly IRunStore _store;

    public SecretRuntimeTests()
    {
        var services = new ServiceCollection().AddSingleton(_received).AddGantryEngine().AddActivity<Probe>().BuildServiceProvider();
        _engine = services.GetRequiredService<WorkflowEngine>();
        _store = services.GetRequiredService<IRunStore>();
    }

    private async Task<(RunRecord Run, string Journal)> RunAsync(string yaml, IReadOnlyDictionary<string, object?>? inputs = null)
    {
        var environment = DocumentLoader.LoadEnvironment(EnvironmentText, "vault.yaml").GetOrThrow();
        var started = await _engine.StartAsync(new StartRunRequest
        {
            Workflow = DocumentLoader.LoadWorkflow(yaml, "probe.yaml").GetOrThrow(),
            Environment = environment,
            EnvironmentText = EnvironmentText,
            Inputs = inputs ?? new Dictionary<string, object?>(),
        }, CancellationToken.None);
        var run = await _engine.RunAsync(started.Id, CancellationToken.None);
        return (run, JsonSerializer.Serialize(await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None)));
    }

    [Fact]
    public async Task Run_SecretInSensitiveInput_ReachesTheActivityUnchangedAndIsMaskedInTheJournal()
    {
        var (run, journal) = await RunAsync("""
            id: probe
            steps:
              - uses: test.probe
                with: { token: "Bearer {{ secrets.api }} ({{ 'x' | string.upcase }})", note: plain }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal($"Bearer {SecretValue} (X)", _received.Token);
        Assert.Contains("Bearer *** (X)", journal, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, journal, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ secrets.api | string.upcase }}")]
    [InlineData("{{ secrets.api | string.reverse }}")]
    [InlineData("{{ secrets.api | string.base64_encode }}")]
    [InlineData("{{ this.secrets.api }}")]
    public async Task Run_TransformedSecretInANonSensitiveInput_FailsWithoutPrintingIt(string template)
    {
        var (run, journal) = await RunAsync($$"""
            id: probe
            steps:
              - uses: test.probe
                with: { note: "{{template}}" }
            """);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Null(_received.Note);
        foreach (var leak in new[] { SecretValue, SecretValue.ToUpperInvariant(), new string(SecretValue.Reverse().ToArray()), Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(SecretValue)) })
        {
            Assert.DoesNotContain(leak, journal, StringComparison.Ordinal);
            Assert.DoesNotContain(leak, run.Message ?? "", StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_EnvSecrets_ListsNamesOnlyAndRepositoryUrlIsMasked()
    {
        var (run, journal) = await RunAsync("""
            id: probe
            steps:
              - uses: test.probe
                with: { note: "{{ env.secrets | array.join ',' }} {{ env.repository.url }}" }
            """);

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("api https://deployer:repo-token-123@git.example.invalid/team/app.git", _received.Note);
        Assert.Contains("api https://***@git.example.invalid/team/app.git", journal, StringComparison.Ordinal);
        Assert.DoesNotContain("repo-token-123", journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InputHoldingATemplate_IsDataNeverRenderedAgain()
    {
        var (run, _) = await RunAsync(
            """
            id: probe
            inputs:
              text: { type: string }
            steps:
              - uses: test.probe
                with: { note: "{{ inputs.text }}", command: "echo {{ inputs.text }} on {{ host.name }}" }
            """,
            new Dictionary<string, object?> { ["text"] = "{{ 6 * 7 }} {{ secrets.api }} {{ host.address }}" });

        Assert.Equal(RunStatus.Succeeded, run.Status);
        Assert.Equal("{{ 6 * 7 }} {{ secrets.api }} {{ host.address }}", _received.Note);
        Assert.Equal("echo {{ 6 * 7 }} {{ secrets.api }} {{ host.address }} on web1", _received.Command);
    }

    [Fact]
    public async Task Run_ApprovalQuestionHoldingASecret_IsMaskedInTheWaitAndTheJournal()
    {
        var (run, journal) = await RunAsync($$"""
            id: probe
            steps:
              - uses: wait
                with: { approval: "deploy with {{SecretValue}}?" }
            """);

        Assert.Equal(RunStatus.Waiting, run.Status);
        var waiting = JournalState.Replay(await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None)).Waiting.Values.Single();
        Assert.Equal("approval: deploy with ***?", waiting.Wait!.Description);
        Assert.DoesNotContain(SecretValue, journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Signal_PayloadHoldingASecret_IsMaskedInTheJournal()
    {
        var (run, _) = await RunAsync("""
            id: probe
            steps:
              - uses: wait
                with: { signal: go }
            """);

        await _engine.SignalAsync(run.Id, "go", new Dictionary<string, object?> { ["note"] = $"leaked {SecretValue}", ["url"] = "https://bot:tok-999@example.invalid/x" }, "tester", CancellationToken.None);

        var journal = JsonSerializer.Serialize(await _store.ReadJournalAsync(run.Id, 0, CancellationToken.None));
        Assert.Contains("leaked ***", journal, StringComparison.Ordinal);
        Assert.Contains("https://***@example.invalid/x", journal, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretValue, journal, StringComparison.Ordinal);
        Assert.DoesNotContain("tok-999", journal, StringComparison.Ordinal);
    }
}

/// <summary>Records what it received: a sensitive token, a plain note, and its per-host command rendered for web1.</summary>
[Activity("test.probe", Description = "Records its inputs.")]
internal sealed class Probe(Probe.Received received) : Activity<Probe.Inputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        received.Token = context.Input.Token;
        received.Note = context.Input.Note;
        if (context.Environment is { } environment && context.Input.Command is not null)
        {
            received.Command = context.RenderPerHost("command", new HostBinding("web1", environment.GroupOf("web1"), environment.Hosts["web1"]));
        }

        return Task.FromResult(new NoOutputs());
    }

    public sealed class Inputs
    {
        [Description("A credential.")]
        [Sensitive]
        public string? Token { get; set; }

        [Description("Plain text.")]
        public string? Note { get; set; }

        [Description("Rendered per host.")]
        [PerHost]
        public string? Command { get; set; }
    }

    public sealed class Received
    {
        public string? Token { get; set; }

        public string? Note { get; set; }

        public string? Command { get; set; }
    }
}
