using System.Text.Json;
using Gantry.Engine.Expressions;
using Gantry.Engine.Planning;
using Gantry.Engine.Tests.Validation;

namespace Gantry.Engine.Tests.Planning;

public sealed class PlannerTests
{
    private static WorkflowPlan Plan(string id, Dictionary<string, string>? inputs = null)
    {
        var result = new Planner(ValidationFixtures.Context(ValidationFixtures.Prod)).Plan(ValidationFixtures.Workflows[id], inputs ?? new() { ["tag"] = "v3.0.1" });
        Assert.Empty(result.Diagnostics);
        return result.Plan!;
    }

    private static IEnumerable<PlanNode> Flatten(IEnumerable<PlanNode> nodes) => nodes.SelectMany(n => new[] { n }.Concat(Flatten(n.Children)));

    [Fact]
    public void Plan_Rolling_ListsStepsInExecutionOrderWithRenderedInputs()
    {
        var plan = Plan("rolling");

        Assert.Equal(["latest", "lb.live", "deploy", "lb.flip", "group", "foreach", "lb.all"], plan.Steps.Select(s => s.Label));
        Assert.Equal("v3.0.1", plan.Steps[0].Inputs["ref"]);
        Assert.Equal(Planner.RuntimeValue, plan.Steps[2].Inputs["tag"]);
        Assert.Equal("the group the load balancer reports out — resolved at run time", plan.Steps[2].Target);
        Assert.Equal("group group2: web3", plan.Steps[1].Target);
        Assert.Equal(["lb.restore"], plan.OnFailure.Select(s => s.Label));
        Assert.Equal(2L, plan.Inputs["retries"]);
    }

    [Fact]
    public void Plan_ForeachOverGroupHosts_ExpandsOnePerHost()
    {
        var loop = Plan("rolling").Steps[5];

        Assert.Equal(["host web1 (10.0.0.1)", "host web2 (10.0.0.2)"], loop.Children.Select(c => c.Label));
        Assert.Equal("web2", loop.Children[1].Children[0].Inputs["host"]);
        Assert.Equal("if {{ inputs.retries > 0 }} → true", loop.Children[0].Children[0].Condition);
    }

    [Fact]
    public void Plan_WorkflowCall_ExpandsTheCalledWorkflowInline()
    {
        var call = Plan("hotfix", []).Steps[0];

        Assert.Equal("workflow.call rolling", call.Uses);
        Assert.Equal("v3.0.1", call.Inputs["tag"]);
        Assert.Equal("v3.0.1", call.Children[0].Inputs["ref"]);
        Assert.Equal(7, call.Children.Count);
    }

    [Fact]
    public void Plan_Secrets_NeverAppearInThePlan()
    {
        var masker = new SecretMasker();
        var result = new Planner(ValidationFixtures.Context(ValidationFixtures.Prod)).Plan(ValidationFixtures.Workflows["rolling"], new Dictionary<string, string> { ["tag"] = "v1" }, masker);

        var json = JsonSerializer.Serialize(result.Plan);

        Assert.DoesNotContain("s3cr3t-value", json, StringComparison.Ordinal);
        Assert.Contains("restart --password ***", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Plan_BadInputs_ReportsEachProblem()
    {
        var result = new Planner(ValidationFixtures.Context(ValidationFixtures.Prod)).Plan(ValidationFixtures.Workflows["rolling"], new Dictionary<string, string> { ["retries"] = "many", ["tga"] = "v1" });

        Assert.Null(result.Plan);
        Assert.Equal(
            [
                "--input retries: expected an integer, found 'many'",
                "--input tga: workflow 'rolling' has no input 'tga' (did you mean 'tag'?); it declares: tag, environment, retries",
                "--input: missing required input 'tag' (string: The release tag.); pass --input tag=<value>",
            ],
            result.Diagnostics.Select(d => d.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Plan_FalseCondition_MarksTheStepSkipped()
    {
        var workflow = ValidationFixtures.Load("""
            id: t
            inputs:
              dry_run: { type: boolean, default: true }
            steps:
              - uses: lb.flip
                if: "{{ !inputs.dry_run }}"
            """, "t.yaml");

        var step = new Planner(ValidationFixtures.Context()).Plan(workflow, new Dictionary<string, string>()).Plan!.Steps[0];

        Assert.Equal(["skipped: the condition is false"], step.Notes);
    }
}
