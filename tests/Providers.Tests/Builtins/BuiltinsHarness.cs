using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Providers.Files;
using Gantry.Providers.Http;
using Gantry.Providers.Shell;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.Builtins;

/// <summary>An engine over the in-memory store with the built-in provider activities, run the way the CLI runs a workflow.</summary>
internal sealed class BuiltinsHarness
{
    public BuiltinsHarness(TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var provider = services
            .AddGantryEngine()
            .AddActivity<HttpCheckActivity>()
            .AddActivity<ShellLocalActivity>()
            .AddActivity<FileSetIniActivity>()
            .AddActivity<FileWriteActivity>()
            .BuildServiceProvider();
        Engine = provider.GetRequiredService<WorkflowEngine>();
    }

    public WorkflowEngine Engine { get; }

    public async Task<RunRecord> RunAsync(string yaml, string? environmentYaml = null, CancellationToken cancellationToken = default)
    {
        var run = await StartAsync(yaml, environmentYaml);
        return await Engine.RunAsync(run.Id, cancellationToken);
    }

    public Task<RunRecord> StartAsync(string yaml, string? environmentYaml = null) =>
        Engine.StartAsync(
            new StartRunRequest
            {
                Workflow = DocumentLoader.LoadWorkflow(yaml, "t.yaml").GetOrThrow(),
                Environment = environmentYaml is null ? null : DocumentLoader.LoadEnvironment(environmentYaml, "env.yaml").GetOrThrow(),
                EnvironmentText = environmentYaml,
            },
            CancellationToken.None);

    public async Task<IReadOnlyList<JournalEvent>> JournalAsync(string runId) =>
        await Engine.Store.ReadJournalAsync(runId, 0, CancellationToken.None);

    /// <summary>The outputs of the step with this id, from its step.succeeded event.</summary>
    public async Task<IReadOnlyDictionary<string, object?>> OutputsAsync(RunRecord run, string stepId)
    {
        var journal = await JournalAsync(run.Id);
        var succeeded = journal.SingleOrDefault(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == stepId)
            ?? throw new InvalidOperationException($"step {stepId} did not succeed: run {run.Status}: {run.Message}");
        return Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(succeeded.Outputs);
    }

    /// <summary>The log lines a step wrote with a stream tag (stdout, stderr) or null for info.</summary>
    public async Task<IReadOnlyList<string>> LogAsync(string runId, string? stream = null) =>
        (await JournalAsync(runId)).Where(e => e.Type == JournalEventTypes.Log && e.Actor == stream).Select(e => e.Message ?? "").ToList();
}
