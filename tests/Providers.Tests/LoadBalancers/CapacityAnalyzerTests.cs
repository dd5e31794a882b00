using Gantry.Engine.Activities;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Validation;
using Gantry.Providers.LoadBalancers;
using Gantry.Providers.Tests.Scenario;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Providers.Tests.LoadBalancers;

public sealed class CapacityAnalyzerTests
{
    private const string TwoGroups = """
        id: prod
        load_balancer: { provider: haproxy, address: "tcp://127.0.0.1:9999", backend: web, min_live_groups: 1 }
        groups:
          group1: { hosts: [web1, web2] }
          group2: { hosts: [web3, web4] }
        hosts:
          web1: { address: 10.0.0.1 }
          web2: { address: 10.0.0.2 }
          web3: { address: 10.0.0.3 }
          web4: { address: 10.0.0.4 }
        """;

    private const string ThreeGroupsKeepTwo = """
        id: big
        load_balancer: { provider: haproxy, address: "tcp://127.0.0.1:9999", backend: web, min_live_groups: 2 }
        groups:
          group1: { hosts: [web1] }
          group2: { hosts: [web2] }
          group3: { hosts: [web3] }
        hosts:
          web1: { address: 10.0.0.1 }
          web2: { address: 10.0.0.2 }
          web3: { address: 10.0.0.3 }
        """;

    private const string Drainer = """
        id: drainer
        steps:
          - uses: lb.drain
            with: { host: web4 }
        """;

    /// <summary>Workflows that could leave too few live groups, each with every problem it must produce.</summary>
    public static TheoryData<string, string, string[]> UnsafeWorkflows => new()
    {
        {
            "lb.live of one group after lb.live of the others, keeping two of three",
            """
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group1, group2] }
              - uses: lb.live
                with: { groups: [group3] }
            """,
            ["t.yaml:5:5 steps[1]: lb.live groups: [group3] would leave 1 live group (min_live_groups is 2 in environment big): group1 would be taken out, group2 would be taken out"]
        },
        {
            "draining a host of the only live group",
            """
            id: t
            steps:
              - id: only_group2
                uses: lb.live
                with: { groups: [group2] }
              - uses: lb.drain
                with: { host: web3 }
            """,
            ["t.yaml:6:5 steps[1]: lb.drain host: web3 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 is out since steps[0] (only_group2), group2 would lose web3"]
        },
        {
            "a flip inside an if: when it is skipped, group2 is still the only live group",
            """
            id: t
            inputs:
              flip: { type: boolean, default: true }
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - uses: lb.flip
                if: "{{ inputs.flip }}"
              - uses: lb.drain
                with: { host: web3 }
            """,
            ["t.yaml:9:5 steps[2]: lb.drain host: web3 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 is out since steps[0], group2 would lose web3"]
        },
        {
            "a flip after an lb.live inside an if: when it is skipped, no group is out",
            """
            id: t
            steps:
              - if: "{{ run.trigger == 'manual' }}"
                uses: lb.live
                with: { groups: [group2] }
              - uses: lb.flip
            """,
            ["t.yaml:6:5 steps[1]: lb.flip would fail: it needs exactly one live and one out group, but here group1 is live, group2 is live"]
        },
        {
            "the unsafe step only in on_failure",
            """
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - uses: deploy.release
                with: { target: out, tag: v1.0.0 }
            on_failure:
              - uses: lb.drain
                with: { host: web4 }
            """,
            ["t.yaml:8:5 on_failure[0]: lb.drain host: web4 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 is out since steps[0], group2 would lose web4"]
        },
        {
            "the unsafe step inside a called workflow",
            """
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - uses: workflow.call
                with: { workflow: drainer }
            """,
            ["t.yaml:5:5 steps[1]: workflow.call drainer: steps[0] at drainer.yaml:3:5: lb.drain host: web4 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 is out since steps[0], group2 would lose web4"]
        },
        {
            "draining inside a foreach over the live group's hosts",
            """
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - foreach: group2
                as: host
                steps:
                  - uses: lb.drain
                    with: { host: "{{ host.name }}" }
                  - uses: lb.ready
                    with: { host: "{{ host.name }}" }
            """,
            ["t.yaml:8:9 steps[1].steps[0]: lb.drain host: web3 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 is out since steps[0], group2 would lose web3"]
        },
        {
            "a template group resolved from the input's default",
            """
            id: t
            inputs:
              keep: { type: string, default: group1 }
            steps:
              - uses: lb.live
                with: { groups: ["{{ inputs.keep }}"] }
              - group:
                  - uses: lb.drain
                    with: { host: web2 }
                finally:
                  - uses: lb.all
            """,
            ["t.yaml:8:9 steps[1].group[0]: lb.drain host: web2 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 would lose web2, group2 is out since steps[0]"]
        },
        {
            "parallel drains of one host in each group, in either order",
            """
            id: t
            steps:
              - parallel:
                  - uses: lb.drain
                    with: { host: web1 }
                  - uses: lb.drain
                    with: { host: web3 }
            """,
            [
                "t.yaml:4:9 steps[0].parallel[0]: lb.drain host: web1 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 would lose web1, group2 has web3 out since steps[0].parallel[1]",
                "t.yaml:6:9 steps[0].parallel[1]: lb.drain host: web3 would leave 0 live groups (min_live_groups is 1 in environment prod): group1 has web1 out since steps[0].parallel[0], group2 would lose web3",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(UnsafeWorkflows))]
    public void Analyze_UnsafeWorkflow_ReportsStepGroupsAndWhereTheyWentOut(string why, string workflowYaml, string[] expected)
    {
        var environment = DocumentLoader.LoadEnvironment(why.Contains("two of three", StringComparison.Ordinal) ? ThreeGroupsKeepTwo : TwoGroups, "env.yaml").GetOrThrow();
        var workflow = DocumentLoader.LoadWorkflow(workflowYaml, "t.yaml").GetOrThrow();
        var drainer = DocumentLoader.LoadWorkflow(Drainer, "drainer.yaml").GetOrThrow();
        var context = new ValidationContext(new ActivityRegistry([]), new Dictionary<string, WorkflowDefinition> { ["drainer"] = drainer }, environment);

        var found = new CapacityAnalyzer().Analyze(workflow, context).Select(d => d.ToString()).ToList();

        Assert.Equal(expected, found);
    }

    [Fact]
    public void AddGantryProviders_CalledTwice_RegistersTheAnalyzerOnce()
    {
        using var services = new ServiceCollection().AddGantryProviders().AddGantryProviders().BuildServiceProvider();

        Assert.Equal([typeof(CapacityAnalyzer)], services.GetServices<IWorkflowAnalyzer>().Select(a => a.GetType()));
    }

    [Fact]
    public void Analyze_TemplateGroupNotKnownBeforeTheRun_ReportsNothing()
    {
        var environment = DocumentLoader.LoadEnvironment(TwoGroups, "env.yaml").GetOrThrow();
        var workflow = DocumentLoader.LoadWorkflow("""
            id: t
            steps:
              - id: pick
                uses: lb.status
              - uses: lb.live
                with: { groups: ["{{ steps.pick.outputs.live[0] }}"] }
              - uses: lb.drain
                with: { host: web3 }
            """, "t.yaml").GetOrThrow();

        Assert.Empty(new CapacityAnalyzer().Analyze(workflow, new ValidationContext(new ActivityRegistry([]), environment: environment)));
    }

    [Fact]
    public void Analyze_WithoutEnvironment_ReportsNothing()
    {
        var workflow = DocumentLoader.LoadWorkflow("""
            id: t
            steps:
              - uses: lb.live
                with: { groups: [group2] }
              - uses: lb.drain
                with: { host: web3 }
            """, "t.yaml").GetOrThrow();

        Assert.Empty(new CapacityAnalyzer().Analyze(workflow, new ValidationContext(new ActivityRegistry([]))));
    }

    [Theory]
    [InlineData("rolling-deploy", "prod.example")]
    [InlineData("rolling-deploy", "sandbox")]
    [InlineData("rollback", "prod.example")]
    [InlineData("rollback", "sandbox")]
    [InlineData("hotfix", "prod.example")]
    [InlineData("hotfix", "sandbox")]
    [InlineData("daily-release", "prod.example")]
    [InlineData("daily-release", "sandbox")]
    [InlineData("canary", "canary.example")]
    public void Analyze_RepositoryWorkflow_IsSafe(string workflowId, string environmentId)
    {
        var catalog = new WorkspaceCatalog(SandboxHarness.RepositoryRoot());
        var workflows = catalog.LoadWorkflows();
        var environment = DocumentLoader.LoadEnvironmentFile(catalog.FindEnvironment(environmentId)!).GetOrThrow();
        var context = new ValidationContext(new ActivityRegistry([]), workflows, environment);

        Assert.Empty(new CapacityAnalyzer().Analyze(workflows[workflowId], context));
    }

    [Fact]
    public void Analyze_RollingDeployKeepingANonexistentFirstGroupLive_ReportsNothingForTheValidatorToReport()
    {
        var catalog = new WorkspaceCatalog(SandboxHarness.RepositoryRoot());
        var workflows = catalog.LoadWorkflows();
        var environment = DocumentLoader.LoadEnvironment(TwoGroups, "env.yaml").GetOrThrow();
        var caller = DocumentLoader.LoadWorkflow("""
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: rolling-deploy, inputs: { first_live: group9 } }
            """, "t.yaml").GetOrThrow();

        Assert.Empty(new CapacityAnalyzer().Analyze(caller, new ValidationContext(new ActivityRegistry([]), workflows, environment)));
    }
}
