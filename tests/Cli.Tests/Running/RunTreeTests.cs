using Gantry.Cli.Running;
using Gantry.Engine.Activities;
using Gantry.Engine.Runtime;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests.Running;

public sealed class RunTreeTests
{
    private const string Workflow = """
        id: deploy
        steps:
          - id: tag
            uses: log
            with: { message: x }
          - id: hosts
            foreach: [web1, web2]
            steps:
              - id: deploy
                uses: log
                with: { message: y }
          - id: child
            uses: workflow.call
            with: { workflow: child }
          - id: last
            uses: log
            with: { message: z }
        """;

    private static readonly DateTimeOffset T0 = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Render_ForeachItemsAndCallChildren_NestUnderTheirStepsWithStateTimesAndHostCounts()
    {
        var run = new RunRecord { Id = "r1", WorkflowId = "deploy", EnvironmentId = "prod", Definitions = new Dictionary<string, string> { ["deploy"] = Workflow } };
        var tree = new RunTree(run);
        foreach (var e in Events())
        {
            tree.Apply(e);
        }

        var console = new TestConsole().Width(200).SupportsUnicode(true);
        console.Write(RunTreeRenderer.Render(tree, T0.AddSeconds(10)));

        Assert.Equal(
            [
                "run r1 deploy on prod running",
                "├── ✓ tag (log) 1.0s",
                "├── ▶ hosts (foreach) 9.0s hosts 2/2 done, 1 failed",
                "│   ├── web1",
                "│   │   └── ✓ deploy (log) 2.0s",
                "│   └── web2",
                "│       └── ✗ deploy (log) 3.0s restart failed on web2",
                "├── ▶ child (workflow.call:child) 2.0s",
                "│   └── ▶ inner (log) 1.0s",
                "│       └── web9: starting",
                "└── ○ last (log)",
            ],
            console.Output.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0));
    }

    [Fact]
    public void Render_WaitingAndSkippedSteps_ShowWhatTheyWaitFor()
    {
        var run = new RunRecord { Id = "r2", WorkflowId = "deploy", Definitions = new Dictionary<string, string> { ["deploy"] = Workflow } };
        var tree = new RunTree(run);
        tree.Apply(At(0, new() { Type = JournalEventTypes.StepSkipped, Path = "steps[0]", StepId = "tag", Message = "condition is false: {{ inputs.go }}" }));
        tree.Apply(At(1, new() { Type = JournalEventTypes.StepWaiting, Path = "steps[3]", StepId = "last", Wait = new WaitRequest("go", "signal", "signal 'go'") }));

        var lines = RunTreeRenderer.Line(Find(tree, "steps[0]"), T0) + "\n" + RunTreeRenderer.Line(Find(tree, "steps[3]"), T0);

        Assert.Equal("[grey]-[/] tag (log) [grey]condition is false: {{ inputs.go }}[/]\n[yellow]⏸[/] last (log) [yellow]signal 'go'[/]", lines);
        Assert.Equal(RunStatus.Waiting, tree.Status);
    }

    private static RunTreeNode Find(RunTree tree, string key) => tree.Roots.Single(n => n.Key == key);

    private static IEnumerable<JournalEvent> Events() =>
    [
        At(0, new() { Type = JournalEventTypes.RunStarted }),
        At(0, new() { Type = JournalEventTypes.StepStarted, Path = "steps[0]", StepId = "tag", Activity = "log" }),
        At(1, new() { Type = JournalEventTypes.StepSucceeded, Path = "steps[0]", StepId = "tag", Activity = "log" }),
        At(1, new() { Type = JournalEventTypes.StepStarted, Path = "steps[1]", StepId = "hosts", Activity = "foreach" }),
        At(1, new() { Type = JournalEventTypes.StepStarted, Path = "steps[1][0]/steps[1].steps[0]", StepId = "deploy", Activity = "log", Host = "web1" }),
        At(1, new() { Type = JournalEventTypes.StepStarted, Path = "steps[1][1]/steps[1].steps[0]", StepId = "deploy", Activity = "log", Host = "web2" }),
        At(3, new() { Type = JournalEventTypes.StepSucceeded, Path = "steps[1][0]/steps[1].steps[0]", StepId = "deploy", Activity = "log", Host = "web1" }),
        At(3, new() { Type = JournalEventTypes.Progress, Path = "steps[1]", Message = "1/2 done, 0 failed" }),
        At(4, new() { Type = JournalEventTypes.StepFailed, Path = "steps[1][1]/steps[1].steps[0]", StepId = "deploy", Activity = "log", Host = "web2", Error = new ErrorInfo("Ssh", "restart failed on web2") }),
        At(4, new() { Type = JournalEventTypes.Progress, Path = "steps[1]", Message = "2/2 done, 1 failed" }),
        At(8, new() { Type = JournalEventTypes.StepStarted, Path = "steps[2]", StepId = "child", Activity = "workflow.call:child" }),
        At(9, new() { Type = JournalEventTypes.StepStarted, Path = "steps[2]/steps[0]", StepId = "inner", Activity = "log" }),
        At(9, new() { Type = JournalEventTypes.Log, Path = "steps[2]/steps[0]", Message = "starting", Host = "web9" }),
    ];

    private static JournalEvent At(int seconds, JournalEvent e) => e with { Time = T0.AddSeconds(seconds) };
}
