using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;
using Gantry.Engine.Tests.TestActivities;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Tests.Validation;

/// <summary>A <c>workflow.call</c> with <c>version: N</c> is checked against version N from the definition store, not the callee's latest.</summary>
public sealed class PinnedCallValidationTests
{
    // Version 1 takes 'colour'; version 2 drops it and adds 'size'; version 3 only renames an output.
    private static readonly string[] Versions =
    [
        Callee("colour: { type: string, required: true }", "painted"),
        Callee("size: { type: integer, default: 1 }", "painted"),
        Callee("size: { type: integer, default: 1 }", "done"),
    ];

    private static string Callee(string input, string output) => $$"""
        id: rolling-deploy
        inputs:
          {{input}}
        steps:
          - id: work
            uses: test.record
            with: { name: work }
        outputs:
          {{output}}: "yes"
        """;

    private static string Caller(string with, string report = "echo") => $$$"""
        id: team
        steps:
          - id: first
            uses: test.record
            with: { name: first }
          - id: second
            uses: test.record
            with: { name: second }
          - id: roll
            uses: workflow.call
            with: { workflow: rolling-deploy, {{{with}}} }
          - uses: test.record
            with: { name: "{{ steps.roll.outputs.{{{report}}} }}" }
        """;

    [Fact]
    public async Task Validate_PinnedOldVersionWithAnInputLatestDropped_ReportsNothing()
    {
        var diagnostics = await ValidateAsync(Caller("version: 1, inputs: { colour: red }", report: "painted"));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task Validate_PinnedOldVersionWithAnInputOnlyLatestHas_ReportsTheInputAgainstThatVersion()
    {
        var diagnostics = await ValidateAsync(Caller("version: 1, inputs: { colour: red, size: 2 }", report: "painted"));

        Assert.Equal(
            ["team.yaml:11:74 steps[2].with.inputs.size: workflow 'rolling-deploy' has no input 'size'; it declares: colour"],
            diagnostics);
    }

    [Fact]
    public async Task Validate_PinnedOldVersion_OutputsReadFromThatVersion()
    {
        var diagnostics = await ValidateAsync(Caller("version: 2", report: "done"));

        Assert.Equal(
            ["team.yaml:13:23 steps[3].with.name: step 'roll' (workflow rolling-deploy) has no output 'done'; its outputs: painted"],
            diagnostics);
    }

    [Fact]
    public async Task Validate_PinnedVersionTheStoreDoesNotHave_LocatedAtVersionNamingTheLatest()
    {
        var diagnostics = await ValidateAsync(Caller("version: 7"));

        Assert.Equal(
            ["team.yaml:11:48 steps[2].with.version: workflow 'rolling-deploy' has no version 7 (latest is 3)"],
            diagnostics);
    }

    [Fact]
    public async Task Validate_PinnedVersionOfAWorkflowTheStoreDoesNotHave_SaysSo()
    {
        var diagnostics = await ValidateAsync(Caller("version: 2").Replace("rolling-deploy", "rolling-deplyo", StringComparison.Ordinal));

        Assert.Equal(
            ["team.yaml:11:48 steps[2].with.version: workflow 'rolling-deplyo' has no version 2: the definition store has no workflow 'rolling-deplyo'"],
            diagnostics);
    }

    [Fact]
    public void Validate_PinnedVersionWithoutAStore_FallsBackToTheLatestByIdAsBefore()
    {
        var latest = DocumentLoader.LoadWorkflow(Versions[^1], "rolling-deploy.yaml").GetOrThrow();
        var caller = DocumentLoader.LoadWorkflow(Caller("version: 1, inputs: { colour: red }", report: "done"), "team.yaml").GetOrThrow();

        var diagnostics = new WorkflowValidator().Validate(caller, new ValidationContext(TestCatalog.Registry, new Dictionary<string, Model.WorkflowDefinition> { ["rolling-deploy"] = latest }));

        Assert.Equal(
            ["team.yaml:11:61 steps[2].with.inputs.colour: workflow 'rolling-deploy' has no input 'colour'; it declares: size"],
            diagnostics.Select(d => d.ToString()));
    }

    /// <summary>Validates the caller as a save would: the latest callee by id, plus the versions the caller pins from the store.</summary>
    private static async Task<List<string>> ValidateAsync(string callerText)
    {
        var store = new InMemoryDefinitionStore();
        foreach (var text in Versions)
        {
            var saved = await store.SaveAsync("rolling-deploy", text, "ann", null, CancellationToken.None);
            await store.PublishAsync("rolling-deploy", saved.Version, CancellationToken.None);
        }

        var latest = DocumentLoader.LoadWorkflow(Versions[^1], "rolling-deploy.yaml").GetOrThrow();
        var caller = DocumentLoader.LoadWorkflow(callerText, "team.yaml").GetOrThrow();
        var context = new ValidationContext(TestCatalog.Registry, new Dictionary<string, Model.WorkflowDefinition> { ["rolling-deploy"] = latest });

        context = await PinnedCallVersions.AddToAsync(context, store, caller, CancellationToken.None);

        return new WorkflowValidator().Validate(caller, context).Select(d => d.ToString()).ToList();
    }
}
