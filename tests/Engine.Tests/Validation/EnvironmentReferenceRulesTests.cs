using Gantry.Engine.Loading;
using Gantry.Engine.Model;

namespace Gantry.Engine.Tests.Validation;

/// <summary>env.* and host.vars.* references checked against the environment document the workflow is validated with.</summary>
public sealed class EnvironmentReferenceRulesTests
{
    private static readonly EnvironmentDefinition Testing = DocumentLoader.LoadEnvironment("""
        id: testing
        groups:
          group1: { hosts: [web1, web2] }
          group2: { hosts: [web3] }
        hosts:
          web1: { address: 10.0.0.1, vars: { region: ams, upstream: "10.0.0.1:8080" } }
          web2: { address: 10.0.0.2, vars: { region: ams } }
          web3: { address: 10.0.0.3 }
        vars:
          smoke_url: http://testing.internal/
          slack: { channel: "#deploys" }
        """, "environments/testing.yaml").GetOrThrow();

    [Fact]
    public void Check_EveryReadKeyExists_NoProblem()
    {
        var diagnostics = ValidationFixtures.Check("""
            id: t
            steps:
              - uses: shell.run
                with: { command: "curl {{ env.vars.smoke_url }} {{ env.vars.slack.channel }} {{ env.hosts.web1.address }} {{ env.id }}" }
              - foreach: group1
                steps:
                  - uses: shell.run
                    with: { command: "echo {{ host.vars.region }} {{ host.name }}" }
              - foreach: [web1, web2, web3]
                steps:
                  - uses: shell.run
                    with: { command: "echo {{ host.vars.upstream ?? host.address }}" }
            """, "t.yaml", Testing);

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("{{ env.vars.smoke_ur }}", "t.yaml:4:26 steps[0].with.command: environment 'testing' has no 'vars.smoke_ur' (did you mean 'smoke_url'?); vars has: slack, smoke_url")]
    [InlineData("{{ env.vars.slack.room }}", "t.yaml:4:26 steps[0].with.command: environment 'testing' has no 'vars.slack.room'; vars.slack has: channel")]
    [InlineData("{{ env.hosts.web9.address }}", "t.yaml:4:26 steps[0].with.command: environment 'testing' has no 'hosts.web9' (did you mean 'web1'?); hosts has: web1, web2, web3")]
    [InlineData("x {{ env.var.smoke_url }}", "t.yaml:4:28 steps[0].with.command: environment 'testing' has no 'var' (did you mean 'vars'?); it has: deploy, groups, hosts, id, load_balancer, name, repository, secrets, ssh, vars")]
    public void Check_MissingEnvironmentKey_IsLocatedAndNamed(string command, string expected)
    {
        var diagnostics = ValidationFixtures.Check($"""
            id: t
            steps:
              - uses: shell.run
                with: {"{"} command: "{command}" {"}"}
            """, "t.yaml", Testing);

        Assert.Equal(expected, string.Join('\n', diagnostics.Select(d => d.ToString())));
    }

    [Fact]
    public void Check_HostVarSomeReachableHostsLack_NamesThoseHosts()
    {
        var diagnostics = ValidationFixtures.Check("""
            id: t
            steps:
              - foreach: "{{ env.groups.group1.hosts }}"
                steps:
                  - uses: shell.run
                    with: { command: "echo {{ host.vars.upstream }}" }
              - foreach: group2
                steps:
                  - uses: shell.run
                    with: { command: "echo {{ host.vars.region }}" }
            """, "t.yaml", Testing);

        Assert.Equal(
            string.Join('\n',
                "t.yaml:6:35 steps[0].steps[0].with.command: hosts 'web2', 'web3' of environment 'testing' have no 'vars.upstream' (the loop reaches web1, web2, web3); host 'web2' of environment 'testing' has no 'vars.upstream'; vars has: region",
                "t.yaml:10:35 steps[1].steps[0].with.command: host 'web3' of environment 'testing' has no 'vars.region'; its vars is empty"),
            string.Join('\n', diagnostics.Select(d => d.ToString())));
    }

    [Fact]
    public void Check_CalledWorkflowReadsAMissingVar_ReportedAtTheCall()
    {
        var library = new Dictionary<string, WorkflowDefinition>(ValidationFixtures.Workflows)
        {
            ["smoke"] = ValidationFixtures.Load("""
                id: smoke
                steps:
                  - uses: shell.run
                    with: { command: "curl {{ env.vars.health_url }}" }
                """, "workflows/smoke.yaml"),
        };
        var workflow = ValidationFixtures.Load("""
            id: t
            steps:
              - uses: workflow.call
                with: { workflow: smoke }
            """, "t.yaml");

        var diagnostics = new Gantry.Engine.Validation.WorkflowValidator().Validate(workflow, new(Gantry.Engine.Tests.TestActivities.TestCatalog.Registry, library, Testing));

        Assert.Equal(
            "t.yaml:4:23 steps[0].with.workflow: called workflow 'smoke' reads what the environment lacks: workflows/smoke.yaml:4:31 steps[0].with.command: environment 'testing' has no 'vars.health_url'; vars has: slack, smoke_url",
            string.Join('\n', diagnostics.Select(d => d.ToString())));
    }

    [Fact]
    public void Check_WithoutAnEnvironment_ReferencesAreNotChecked()
    {
        var diagnostics = ValidationFixtures.Check("""
            id: t
            steps:
              - uses: shell.run
                with: { command: "curl {{ env.vars.anything }}" }
            """, "t.yaml");

        Assert.Empty(diagnostics);
    }
}
