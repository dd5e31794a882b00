using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Tests.Validation;

public sealed class WorkflowValidatorTests
{
    private const string Binary = "template syntax error: Error while parsing binary expression: Expecting an <expression> to the right of the operator instead of the end of the template in: <expression> operator <expression>";

    private const string TagStep = """
        id: t
        steps:
          - id: tag
            uses: git.latest-tag

        """;

    /// <summary>Bad documents, each with the one problem it must produce: file:line:column path: message.</summary>
    public static TheoryData<string, string, string, bool> BadDocuments => new()
    {
        {
            "t.yaml", """
            id: t
            steps:
              - uses: lb.flp
            """,
            "t.yaml:3:11 steps[0].uses: unknown activity 'lb.flp' (did you mean 'lb.flip'?)", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: deploy.release
                with: { target: out, tag: v1, tga: x }
            """,
            "t.yaml:4:35 steps[0].with.tga: unknown field 'tga' (did you mean 'tag'?); expected one of: target, tag, max_parallel", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: deploy.release
                with: { target: out }
            """,
            "t.yaml:4:11 steps[0].with: missing required field 'tag' (string: The release tag.)", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: deploy.release
                with: { target: out, tag: v1, max_parallel: many }
            """,
            "t.yaml:4:49 steps[0].with.max_parallel: expected integer, found 'many'", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - id: a
                uses: lb.flip
              - id: a
                uses: lb.all
            """,
            "t.yaml:5:5 steps[1].id: duplicate step id 'a': already used by steps[0] at t.yaml:3:5; step ids must be unique in a workflow", false
        },
        {
            "t.yaml", TagStep + """
              - uses: deploy.release
                with: { target: out, tag: "{{ steps.tg.outputs.tag }}" }
            """,
            "t.yaml:6:35 steps[1].with.tag: unknown step 'tg' in 'steps.tg' (did you mean 'tag'?); step ids: tag", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: deploy.release
                with: { target: out, tag: "{{ steps.tag.outputs.tag }}" }
              - id: tag
                uses: git.latest-tag
            """,
            "t.yaml:4:35 steps[0].with.tag: step 'tag' (steps[1]) does not complete before this step runs; only steps that complete earlier can be referenced", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - parallel:
                  - id: tag
                    uses: git.latest-tag
                  - uses: deploy.release
                    with: { target: out, tag: "{{ steps.tag.outputs.tag }}" }
            """,
            "t.yaml:7:39 steps[0].parallel[1].with.tag: step 'tag' (steps[0].parallel[0]) does not complete before this step runs; only steps that complete earlier can be referenced", false
        },
        {
            "t.yaml", TagStep + """
              - uses: deploy.release
                with: { target: out, tag: "{{ steps.tag.outputs.tags }}" }
            """,
            "t.yaml:6:35 steps[1].with.tag: step 'tag' (git.latest-tag) has no output 'tags' (did you mean 'tag'?); its outputs: tag, commit", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - id: roll
                uses: workflow.call
                with: { workflow: rolling, inputs: { tag: v1 } }
              - uses: shell.run
                with: { command: "echo {{ steps.roll.outputs.host }}" }
            """,
            "t.yaml:7:31 steps[1].with.command: step 'roll' (workflow rolling) has no output 'host' (did you mean 'hosts'?); its outputs: hosts", false
        },
        {
            "t.yaml", """
            id: t
            inputs:
              ref: { type: string }
            steps:
              - uses: git.latest-tag
                with: { ref: "{{ inputs.rf }}" }
            """,
            "t.yaml:6:22 steps[0].with.ref: unknown input 'inputs.rf' (did you mean 'ref'?); declared inputs: ref", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: git.latest-tag
                with: { ref: "{{ 1 + }}" }
            """,
            "t.yaml:4:26 steps[0].with.ref: " + Binary, false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: lb.flip
                if: "{{ 1 == }}"
            """,
            "t.yaml:4:18 steps[0].if: " + Binary, false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - foreach: "{{ [1, 2 }}"
                steps:
                  - uses: lb.flip
            """,
            "t.yaml:3:24 steps[0].foreach: template syntax error: Unexpected token found the end of the template while expecting `]`.", false
        },
        {
            "t.yaml", """
            id: t
            concurrency: "{{ 1 + }}"
            steps: []
            """,
            "t.yaml:2:22 concurrency: " + Binary, false
        },
        {
            "t.yaml", """
            id: t
            steps: []
            outputs:
              tag: "{{ 1 + }}"
            """,
            "t.yaml:4:16 outputs.tag: " + Binary, false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: rollng }
            """,
            "t.yaml:4:23 steps[0].with.workflow: unknown workflow 'rollng' (did you mean 'rolling'?) (known workflows: back, hotfix, rolling, t)", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: rolling, inputs: { tag: v1, colour: red } }
            """,
            "t.yaml:4:51 steps[0].with.inputs.colour: workflow 'rolling' has no input 'colour'; it declares: tag, environment, retries", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: rolling, inputs: { environment: prod } }
            """,
            "t.yaml:4:40 steps[0].with.inputs: missing required input 'tag' of workflow 'rolling' (string: The release tag.)", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: rolling, inputs: { tag: v1, retries: many } }
            """,
            "t.yaml:4:60 steps[0].with.inputs.retries: expected an integer, found 'many'", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: back }
            """,
            "t.yaml:4:23 steps[0].with.workflow: workflow.call cycle: t → back → t; a workflow cannot call itself, directly or through others", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group1, group3] }
            """,
            "t.yaml:4:30 steps[0].with.groups[1]: unknown group 'group3' (environment prod has: group1, group2)", true
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: deploy.release
                with: { target: grp2, tag: v1 }
            """,
            "t.yaml:4:21 steps[0].with.target: unknown group 'grp2' (environment prod has: group1, group2; or one of out, live, all)", true
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: shell.run
                with: { host: web9, command: ls }
            """,
            "t.yaml:4:19 steps[0].with.host: unknown host 'web9' (environment prod has: web1, web2, web3)", true
        },
        {
            "t.yaml", """
            id: t
            inputs:
              retries: { type: integer, default: three }
            steps: []
            """,
            "t.yaml:3:38 inputs.retries.default: expected an integer, found 'three'", false
        },
        {
            "t.yaml", """
            id: t
            inputs:
              mode: { type: string, default: fast, enum: [quick, slow] }
            steps: []
            """,
            "t.yaml:3:34 inputs.mode.default: expected one of quick, slow, found 'fast'", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: lb.flip
               with: {}
            """,
            "t.yaml:4:4 invalid YAML: While parsing a block collection, did not find expected '-' indicator.", false
        },
        {
            "t.yaml", """
            id: t
            steps:
              - uses: lb.flip
              - uses: lb.all
                uses: lb.all
            """,
            "t.yaml:5:5 invalid YAML: Duplicate key uses", false
        },
        {
            "t.json", """
            {
              "id": "t",
              "steps": [
                { "uses": "lb.flp" }
              ]
            }
            """,
            "t.json:4:15 steps[0].uses: unknown activity 'lb.flp' (did you mean 'lb.flip'?)", false
        },
        {
            "t.json", """
            {
              "id": "t",
              "steps": [
                { "id": "tag", "uses": "git.latest-tag" },
                { "uses": "deploy.release", "with": { "target": "out", "tag": "{{ steps.tag.outputs.tg }}" } }
              ]
            }
            """,
            "t.json:5:71 steps[1].with.tag: step 'tag' (git.latest-tag) has no output 'tg' (did you mean 'tag'?); its outputs: tag, commit", false
        },
        {
            "t.json", """
            {
              "id": "t",
              "steps": [
                { "uses": "lb.flip" },
              ]
            }
            """,
            "t.json:5:3 invalid JSON: The JSON array contains a trailing comma at the end which is not supported in this mode", false
        },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public void Validate_BadDocument_ReportsExactlyOneLocatedProblem(string file, string text, string expected, bool withEnvironment)
    {
        var diagnostics = ValidationFixtures.Check(text, file, withEnvironment ? ValidationFixtures.Prod : null);

        Assert.Equal([expected], diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Validate_GoodWorkflows_ReportNothing()
    {
        foreach (var workflow in ValidationFixtures.Workflows.Values.Where(w => w.Id != "back"))
        {
            Assert.Empty(new WorkflowValidator().Validate(workflow, ValidationFixtures.Context(ValidationFixtures.Prod)));
        }
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsAllInDocumentOrder()
    {
        const string text = """
            id: t
            steps:
              - uses: lb.flp
              - uses: deploy.release
                with: { target: out }
              - uses: git.latest-tag
                with: { ref: "{{ inputs.nope }}" }
            """;

        var diagnostics = ValidationFixtures.Check(text, "t.yaml").Select(d => d.ToString()).ToList();

        Assert.Equal(
            [
                "t.yaml:3:11 steps[0].uses: unknown activity 'lb.flp' (did you mean 'lb.flip'?)",
                "t.yaml:5:11 steps[1].with: missing required field 'tag' (string: The release tag.)",
                "t.yaml:7:22 steps[2].with.ref: unknown input 'inputs.nope'; the workflow declares no inputs",
            ],
            diagnostics);
    }

    [Fact]
    public void Validate_FinallyAndOnFailure_MayReadEveryEarlierStep()
    {
        const string text = """
            id: t
            steps:
              - group:
                  - id: first
                    uses: git.latest-tag
                  - id: second
                    uses: git.latest-tag
                finally:
                  - uses: shell.run
                    with: { command: "echo {{ steps.second.outputs.tag }}" }
            on_failure:
              - uses: shell.run
                with: { command: "echo {{ steps.first.outputs.commit }}" }
            """;

        Assert.Empty(ValidationFixtures.Check(text, "t.yaml"));
    }

    [Fact]
    public void Validate_SelfReference_SaysAStepCannotReadItsOwnOutputs()
    {
        const string text = """
            id: t
            steps:
              - id: tag
                uses: git.latest-tag
                with: { ref: "{{ steps.tag.outputs.tag }}" }
            """;

        Assert.Equal(["t.yaml:5:22 steps[0].with.ref: step 'tag' cannot read its own outputs"], ValidationFixtures.Check(text, "t.yaml").Select(d => d.ToString()));
    }

    [Fact]
    public void Validate_Analyzers_RunAfterBuiltInRulesAndFailuresAreReported()
    {
        var workflow = ValidationFixtures.Workflows["rolling"];
        var validator = new WorkflowValidator([new CountingAnalyzer(), new BrokenAnalyzer()]);

        var diagnostics = validator.Validate(workflow, ValidationFixtures.Context()).Select(d => d.ToString()).ToList();

        Assert.Equal(
            [
                "workflows/rolling.yaml:1:1 steps: 7 top-level steps",
                "workflows/rolling.yaml:1:1 analyzer BrokenAnalyzer failed: boom",
            ],
            diagnostics);
    }

    private sealed class CountingAnalyzer : IWorkflowAnalyzer
    {
        public IEnumerable<Diagnostic> Analyze(WorkflowDefinition workflow, ValidationContext context) =>
            [new Diagnostic(workflow.Location, "steps", $"{workflow.Steps.Count} top-level steps")];
    }

    private sealed class BrokenAnalyzer : IWorkflowAnalyzer
    {
        public IEnumerable<Diagnostic> Analyze(WorkflowDefinition workflow, ValidationContext context) => throw new InvalidOperationException("boom");
    }
}
