using Gantry.Engine.Activities;
using Gantry.Engine.Schema;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Cli.Tests;

/// <summary>The repository's own documents and schemas, checked with the real activity catalogue.</summary>
public sealed class RepositoryTests
{
    internal static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Workflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no Workflows.sln above {AppContext.BaseDirectory}");
    }

    private static ActivityRegistry RealRegistry() => CliServices.Create().BuildServiceProvider().GetRequiredService<ActivityRegistry>();

    [Fact]
    public void Schemas_Committed_MatchTheGeneratedOnes()
    {
        // When this fails after adding or changing an activity: run `gantry schema --write` and commit schemas/.
        foreach (var (name, text) in SchemaGenerator.Files(RealRegistry()))
        {
            var committed = File.ReadAllText(Path.Combine(Root(), "schemas", name)).ReplaceLineEndings("\n");
            Assert.True(committed == text, $"schemas/{name} is out of date; run: gantry schema --write");
        }
    }

    [Fact]
    public void Validate_RepositoryWorkflows_AreValidWithTheRealActivities()
    {
        var folder = Path.Combine(Root(), "workflows");
        Assert.Contains(Path.Combine(folder, "hotfix.yaml"), Directory.EnumerateFiles(folder, "*.yaml", SearchOption.AllDirectories));

        var result = CliTestApp.Run("validate", folder);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    [Theory]
    [InlineData("sandbox")]
    [InlineData("prod.example")]
    [InlineData("canary.example")]
    [InlineData("testing.example")]
    [InlineData("testing-two-groups.example")]
    public void Validate_RepositoryWorkflowsAgainstEnvironment_PassTheCapacityCheck(string environment)
    {
        var folder = Path.Combine(Root(), "workflows");
        var ownWorkflows = FleetWorkflows.Where(w => w.Value == environment).Select(w => w.Key).ToList();
        var workflows = Directory.EnumerateFiles(folder, "*.yaml")
            .Where(f => ownWorkflows.Count > 0
                ? ownWorkflows.Contains(Path.GetFileNameWithoutExtension(f))
                : !FleetWorkflows.ContainsKey(Path.GetFileNameWithoutExtension(f))
                    && (environment.StartsWith("testing", StringComparison.Ordinal) || !TestingWorkflows.Contains(Path.GetFileNameWithoutExtension(f))))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(workflows);

        var result = CliTestApp.Run(["validate", .. workflows, "--env", Path.Combine(folder, "environments", environment + ".yaml")]);

        Assert.True(result.ExitCode == 0, result.Output);
    }

    /// <summary>Workflows written for one team's own groups, checked against that team's environment only; the others run on any two-group environment.</summary>
    private static readonly Dictionary<string, string> FleetWorkflows = new(StringComparer.Ordinal) { ["canary"] = "canary.example" };

    /// <summary>Workflows that read what only testing environments have (deploy-testing's smoke check reads env.vars.smoke_url).</summary>
    private static readonly string[] TestingWorkflows = ["deploy-testing"];

    [Fact]
    public void Services_ResolveTheValidatorWithAnalyzersFromDi()
    {
        var services = CliServices.Create().AddSingleton<Engine.Validation.IWorkflowAnalyzer, NoteAnalyzer>().BuildServiceProvider();
        var workflow = Engine.Loading.DocumentLoader.LoadWorkflow("id: t\nsteps: []\n", "t.yaml").GetOrThrow();

        var diagnostics = services.GetRequiredService<Engine.Validation.WorkflowValidator>().Validate(workflow, new(services.GetRequiredService<ActivityRegistry>()));

        Assert.Equal(["t.yaml:1:1 noted"], diagnostics.Select(d => d.ToString()));
    }

    private sealed class NoteAnalyzer : Engine.Validation.IWorkflowAnalyzer
    {
        public IEnumerable<Engine.Diagnostics.Diagnostic> Analyze(Engine.Model.WorkflowDefinition workflow, Engine.Validation.ValidationContext context) =>
            [new(workflow.Location, "", "noted")];
    }
}
