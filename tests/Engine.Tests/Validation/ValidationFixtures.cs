using Gantry.Engine.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Tests.TestActivities;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Tests.Validation;

/// <summary>Documents shared by the validation and planning tests.</summary>
internal static class ValidationFixtures
{
    public const string Environment = """
        id: prod
        groups:
          group1: { hosts: [web1, web2] }
          group2: { hosts: [web3] }
        hosts:
          web1: { address: 10.0.0.1 }
          web2: { address: 10.0.0.2 }
          web3: { address: 10.0.0.3 }
        secrets:
          db_password: { value: s3cr3t-value }
        """;

    /// <summary>A workflow using every step kind, valid against <see cref="Environment"/>.</summary>
    public const string Rolling = """
        id: rolling
        inputs:
          tag: { type: string, required: true, description: The release tag. }
          environment: { type: string, default: prod }
          retries: { type: integer, default: 2 }
        concurrency: "{{ inputs.environment }}"
        steps:
          - id: latest
            uses: git.latest-tag
            with: { ref: "{{ inputs.tag }}" }
          - uses: lb.live
            with: { groups: [group2] }
          - id: deploy
            uses: deploy.release
            with: { target: out, tag: "{{ steps.latest.outputs.tag }}" }
          - uses: lb.flip
          - group:
              - id: inner
                uses: shell.run
                with: { command: "echo {{ steps.deploy.outputs.hosts }}" }
            on_failure:
              - uses: shell.run
                with: { command: "echo {{ steps.inner.outputs.stdout }}" }
          - foreach: "{{ env.groups.group1.hosts }}"
            as: host
            steps:
              - uses: shell.run
                if: "{{ inputs.retries > 0 }}"
                with: { host: "{{ host.name }}", command: "restart --password {{ secrets.db_password }}" }
          - uses: lb.all
        on_failure:
          - uses: lb.restore
        outputs:
          hosts: "{{ steps.deploy.outputs.hosts }}"
        """;

    /// <summary>Calls rolling; with <see cref="Rolling"/> it forms a valid call graph.</summary>
    public const string Hotfix = """
        id: hotfix
        inputs:
          version: { type: string, default: 3.0.1 }
        steps:
          - id: roll
            uses: workflow.call
            with: { workflow: rolling, inputs: { tag: "v{{ inputs.version }}" } }
          - uses: shell.run
            with: { command: "echo {{ steps.roll.outputs.hosts }}" }
        """;

    /// <summary>Calls t, for cycle tests.</summary>
    public const string Back = """
        id: back
        steps:
          - uses: workflow.call
            with: { workflow: t }
        """;

    public static EnvironmentDefinition Prod { get; } = DocumentLoader.LoadEnvironment(Environment, "environments/prod.yaml").GetOrThrow();

    public static WorkflowDefinition Load(string text, string file) => DocumentLoader.LoadWorkflow(text, file).GetOrThrow();

    public static IReadOnlyDictionary<string, WorkflowDefinition> Workflows { get; } = new Dictionary<string, WorkflowDefinition>
    {
        ["rolling"] = Load(Rolling, "workflows/rolling.yaml"),
        ["hotfix"] = Load(Hotfix, "workflows/hotfix.yaml"),
        ["back"] = Load(Back, "workflows/back.yaml"),
    };

    public static ValidationContext Context(EnvironmentDefinition? environment = null) => new(TestCatalog.Registry, Workflows, environment);

    /// <summary>What <c>gantry validate</c> reports for one document: load problems, then the validator's.</summary>
    public static IReadOnlyList<Diagnostic> Check(string text, string file, EnvironmentDefinition? environment = null)
    {
        var loaded = DocumentLoader.LoadWorkflow(text, file);
        var diagnostics = loaded.Diagnostics.ToList();
        if (loaded.Value is not null)
        {
            diagnostics.AddRange(new WorkflowValidator().Validate(loaded.Value, Context(environment)));
        }

        return diagnostics;
    }
}
