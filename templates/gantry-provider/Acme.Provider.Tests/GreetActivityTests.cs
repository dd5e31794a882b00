using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Acme.Provider.Tests;

public sealed class GreetActivityTests
{
    [Fact]
    public async Task Run_WorkflowUsingTheActivity_OutputsTheGreeting()
    {
        await using var services = new ServiceCollection().AddGantryEngine().AddActivitiesFrom(typeof(GreetActivity).Assembly).BuildServiceProvider();
        var engine = services.GetRequiredService<WorkflowEngine>();
        var workflow = DocumentLoader.LoadWorkflow("""
            id: greet
            steps:
              - id: hello
                uses: acme.greet
                with: { name: ops }
            """, "greet.yaml").GetOrThrow();

        var run = await engine.StartAsync(new StartRunRequest { Workflow = workflow }, CancellationToken.None);
        var finished = await engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var journal = await services.GetRequiredService<IRunStore>().ReadJournalAsync(run.Id, 0, CancellationToken.None);
        var outputs = (IReadOnlyDictionary<string, object?>)journal.Single(e => e.Type == JournalEventTypes.StepSucceeded && e.StepId == "hello").Outputs!;
        Assert.Equal("Hello, ops", outputs["message"]);
    }
}
