namespace Gantry.Engine.Tests.Validation;

/// <summary><c>on_error</c> of a workflow or a step: ask, fail, a template, or { mode, timeout }; anything else is a located error.</summary>
public sealed class OnErrorValidationTests
{
    [Theory]
    [InlineData("on_error: sometimes\n", "t.yaml:2:11 on_error: 'sometimes' is not an on_error mode; expected ask or fail (or a template that renders to one), or { mode: ask, timeout: 1h }")]
    [InlineData("on_error: { mode: ask, timeout: 0s }\n", "t.yaml:2:33 on_error.timeout: the time to wait for an answer must be more than 0s")]
    [InlineData("on_error: { timeout: 5m }\n", "t.yaml:2:11 on_error: missing required field 'mode' (ask or fail)")]
    [InlineData("on_error: { mode: ask, tiemout: 5m }\n", "t.yaml:2:24 on_error.tiemout: unknown field 'tiemout' in on_error (did you mean 'timeout'?); expected one of: mode, timeout")]
    public void WorkflowOnError_Invalid_ReportsWhereAndWhatIsExpected(string onError, string expected)
    {
        var text = "id: t\n" + onError + "steps:\n  - uses: lb.flip\n";

        Assert.Equal([expected], ValidationFixtures.Check(text, "t.yaml").Select(d => d.ToString()));
    }

    [Fact]
    public void StepOnError_AskFailOrTemplate_IsValidAndBoundWithTheDefaultTimeout()
    {
        var workflow = ValidationFixtures.Load("""
            id: t
            inputs:
              ask: { type: boolean, default: false }
            on_error: "{{ if inputs.ask }}ask{{ else }}fail{{ end }}"
            steps:
              - id: a
                uses: lb.flip
                on_error: ask
              - id: b
                uses: lb.flip
                on_error: { mode: fail, timeout: 10m }
            """, "t.yaml");

        Assert.Empty(ValidationFixtures.Check(workflow.SourceText, "t.yaml"));
        Assert.Equal(("ask", TimeSpan.FromHours(1)), (workflow.Steps[0].OnError!.Mode.Text, workflow.Steps[0].OnError!.Timeout));
        Assert.Equal(("fail", TimeSpan.FromMinutes(10)), (workflow.Steps[1].OnError!.Mode.Text, workflow.Steps[1].OnError!.Timeout));
        Assert.Equal("{{ if inputs.ask }}ask{{ else }}fail{{ end }}", workflow.OnError!.Mode.Text);
    }

    [Fact]
    public void StepOnError_Unknown_ReportsTheStepsPath()
    {
        var text = "id: t\nsteps:\n  - uses: lb.flip\n    on_error: retry\n";

        Assert.Equal(
            ["t.yaml:4:15 steps[0].on_error: 'retry' is not an on_error mode; expected ask or fail (or a template that renders to one), or { mode: ask, timeout: 1h }"],
            ValidationFixtures.Check(text, "t.yaml").Select(d => d.ToString()));
    }
}
