using Gantry.Engine.Runtime;

namespace Gantry.Engine.Tests.Runtime;

public sealed class DefinitionDiffTests
{
    private const string Before = """
        id: hotfix
        inputs:
          version: { type: string, required: true }
        steps:
          - id: tag
            uses: git.latest-tag
            with: { ref: main }
          - uses: lb.flip
          - id: deploy
            group:
              - id: release
                uses: deploy.release
                with: { target: out, tag: "{{ steps.tag.outputs.tag }}" }
        on_failure:
          - uses: lb.restore
        """;

    [Fact]
    public void Compare_SameDocumentReformatted_IsEmpty()
    {
        var reformatted = """
            # the same workflow, keys in another order
            steps:
              - with: { ref: main }
                uses: git.latest-tag
                id: tag
              - uses: lb.flip
              - id: deploy
                group:
                  - id: release
                    uses: deploy.release
                    with: { tag: "{{ steps.tag.outputs.tag }}", target: out }
            on_failure: [{ uses: lb.restore }]
            id: hotfix
            inputs: { version: { required: true, type: string } }
            """;

        var diff = DefinitionDiff.Compare(Before, reformatted);

        Assert.True(diff.IsEmpty);
        Assert.Empty(diff.Describe());
    }

    [Fact]
    public void Compare_StepsAddedRemovedAndChanged_ReportsEachByIdOrPathWithItsFields()
    {
        var after = """
            id: hotfix
            inputs:
              version: { type: string, required: true }
              force: { type: boolean, default: false }
            steps:
              - id: tag
                uses: git.latest-tag
                with: { ref: stable }
                retry: 3
              - id: deploy
                group:
                  - id: release
                    uses: deploy.release
                    with: { target: out, tag: "{{ steps.tag.outputs.tag }}" }
                  - id: smoke
                    uses: http.check
                    with: { url: "http://app/health" }
            on_failure:
              - uses: lb.restore
            """;

        var diff = DefinitionDiff.Compare(Before, after);

        Assert.Equal(
            [new FieldChange("inputs", """{"version": {"required": true, "type": "string"}}""", """{"force": {"default": false, "type": "boolean"}, "version": {"required": true, "type": "string"}}""")],
            diff.Workflow);
        Assert.Equal(
            [
                "~ inputs: {\"version\": {\"required\": true, \"type\": \"string\"}} -> {\"force\": {\"default\": false, \"type\": \"boolean\"}, \"version\": {\"required\": true, \"type\": \"string\"}}",
                "~ step tag (steps[0])",
                "    retry: (none) -> 3",
                "    with: {\"ref\": \"main\"} -> {\"ref\": \"stable\"}",
                "+ step smoke (steps[1].group[1])",
                "    id: \"smoke\"",
                "    uses: \"http.check\"",
                "    with: {\"url\": \"http://app/health\"}",
                "- step steps[1] (steps[1])",
                "    uses: \"lb.flip\"",
            ],
            diff.Describe());
    }

    [Fact]
    public void Compare_StepMovedIntoAnotherBlock_ShowsItsPositionChange()
    {
        var after = """
            id: hotfix
            inputs:
              version: { type: string, required: true }
            steps:
              - id: deploy
                group:
                  - id: tag
                    uses: git.latest-tag
                    with: { ref: main }
                  - id: release
                    uses: deploy.release
                    with: { target: out, tag: "{{ steps.tag.outputs.tag }}" }
              - uses: lb.flip
            on_failure:
              - uses: lb.restore
            """;

        var diff = DefinitionDiff.Compare(Before, after);

        Assert.Equal(["~ step tag (steps[0].group[0])", "    (position): steps[0] -> steps[0].group[0]"], diff.Describe());
    }
}
