using System.Text.Json;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests.Commands;

/// <summary><c>gantry init</c> in a temp folder: what it writes, that the result validates and status reads it, and that it never overwrites.</summary>
public sealed class InitCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("gantry-init-").FullName;

    private string Workspace => Path.Combine(_root, "deploy");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Init_WithHosts_WritesAWorkspaceThatValidatesAndStatusReads()
    {
        var result = InitProd();

        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(File.ReadAllText(Path.Combine(TempWorkspace.RepositoryRoot(), "workflows", "hotfix.yaml")), File.ReadAllText(Path.Combine(Workspace, "workflows", "hotfix.yaml")));
        Assert.True(File.Exists(Path.Combine(Workspace, "schemas", "workflow.schema.json")));
        Assert.True(File.Exists(Path.Combine(Workspace, "workflows", "environments", "sandbox.yaml")));
        Assert.Equal([".gantry/"], File.ReadAllLines(Path.Combine(Workspace, ".gitignore")));
        Assert.Contains("gantry status --env prod", File.ReadAllText(Path.Combine(Workspace, "README.md")), StringComparison.Ordinal);
        var prod = File.ReadAllText(Path.Combine(Workspace, "workflows", "environments", "prod.yaml"));
        Assert.Contains("  group1: { hosts: [web1.example.test, web2.example.test] }\n  group2: { hosts: [web3.example.test, web4.example.test] }\n", prod, StringComparison.Ordinal);
        Assert.Contains("  web3.example.test: { address: web3.example.test }\n", prod, StringComparison.Ordinal);
        Assert.Contains("  provider: haproxy\n  address: \"unix:///run/haproxy/admin.sock\"\n  backend: app\n", prod, StringComparison.Ordinal);
        Assert.Contains("  root: \"/srv/opensky\"\n  restart: \"sudo systemctl restart opensky\"\n", prod, StringComparison.Ordinal);
        Assert.Contains("  user: deploy\n  port: 2222\n", prod, StringComparison.Ordinal);

        var validate = CliTestApp.Run("validate", Path.Combine(Workspace, "workflows"), "--env", Path.Combine(Workspace, "workflows", "environments", "prod.yaml"));
        Assert.True(validate.ExitCode == 0, validate.Output);
        var sandbox = CliTestApp.Run("status", "--env", "sandbox", "--workspace", Workspace);
        Assert.True(sandbox.ExitCode == 0, sandbox.Output);

        // The hosts do not exist here: status loads prod and names every host it could not read.
        var status = CliTestApp.Run("status", "--env", "prod", "--workspace", Workspace, "--output", "json");
        Assert.Equal(1, status.ExitCode);
        using var json = JsonDocument.Parse(status.Output);
        Assert.Equal(
            ["web1.example.test", "web2.example.test", "web3.example.test", "web4.example.test"],
            json.RootElement.GetProperty("groups").EnumerateArray().SelectMany(g => g.GetProperty("hosts").EnumerateArray())
                .Where(h => h.GetProperty("error").GetString() is { Length: > 0 }).Select(h => h.GetProperty("name").GetString()));
    }

    [Fact]
    public void Init_Again_ChangesNothingAndKeepsAnEditedFileUnlessForce()
    {
        Assert.Equal(0, InitProd().ExitCode);
        var readme = Path.Combine(Workspace, "README.md");
        File.WriteAllText(readme, "# Our deploys\n");

        var again = CliTestApp.Run("init", Workspace, "--env", "prod", "--hosts", "deploy@web[1:4].example.test:2222", "--root", "/srv/opensky", "--restart", "sudo systemctl restart opensky", "--no-input", "--output", "json");

        Assert.True(again.ExitCode == 0, again.Output);
        var outcomes = JsonDocument.Parse(again.Output).RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("outcome").GetString());
        Assert.Equal("kept", outcomes["README.md"]);
        Assert.All(outcomes.Where(o => o.Key != "README.md"), o => Assert.Equal("unchanged", o.Value));
        Assert.Equal("# Our deploys\n", File.ReadAllText(readme));

        var forced = CliTestApp.Run("init", Workspace, "--env", "prod", "--hosts", "deploy@web[1:4].example.test:2222", "--root", "/srv/opensky", "--restart", "sudo systemctl restart opensky", "--no-input", "--force");
        Assert.True(forced.ExitCode == 0, forced.Output);
        Assert.Contains("overwritten README.md", Squeeze(forced.Output), StringComparison.Ordinal);
        Assert.StartsWith("# Deploy workflows", File.ReadAllText(readme), StringComparison.Ordinal);
    }

    [Fact]
    public void Init_TeamGitignore_GetsTheLineAppendedOnceAndKeepsItsOwn()
    {
        Directory.CreateDirectory(Workspace);
        File.WriteAllText(Path.Combine(Workspace, ".gitignore"), "node_modules/\n*.log");

        Assert.Equal(0, CliTestApp.Run("init", Workspace, "--no-input").ExitCode);
        Assert.Equal(0, CliTestApp.Run("init", Workspace, "--no-input").ExitCode);

        Assert.Equal(["node_modules/", "*.log", ".gantry/"], File.ReadAllLines(Path.Combine(Workspace, ".gitignore")));
        Assert.False(File.Exists(Path.Combine(Workspace, "workflows", "environments", "prod.yaml")));
    }

    [Fact]
    public void Init_HostWithABadPort_ExitsOneNamingTheEntryAndWritesNothing()
    {
        var result = CliTestApp.Run("init", Workspace, "--hosts", "web1, web2:99999", "--no-input");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--hosts:1: 'web2:99999' has port '99999'; expected a number from 1 to 65535", Squeeze(result.Output), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Workspace));
    }

    [Fact]
    public void Init_UnknownLoadBalancer_ExitsTwoListingTheKinds()
    {
        var result = CliTestApp.Run("init", Workspace, "--hosts", "web1", "--lb", "f5");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--lb 'f5' is not a load balancer Gantry drives; expected haproxy, nginx or none", Squeeze(result.Output), StringComparison.Ordinal);
    }

    [Fact]
    public void Init_OnATerminal_AsksForTheFleetAndWritesNginx()
    {
        var console = new TestConsole().Width(400).Interactive();
        console.Input.PushTextWithEnter("web1 web2 web3");
        console.Input.PushTextWithEnter("staging");
        console.Input.PushTextWithEnter("3");
        console.Input.PushKey(ConsoleKey.DownArrow);
        console.Input.PushKey(ConsoleKey.Enter);
        console.Input.PushTextWithEnter("opensky");
        console.Input.PushTextWithEnter("");
        console.Input.PushTextWithEnter("systemctl restart opensky");
        console.Input.PushTextWithEnter("");

        var result = CliTestApp.Run(console, "init", Workspace);

        Assert.True(result.ExitCode == 0, result.Output);
        var staging = File.ReadAllText(Path.Combine(Workspace, "workflows", "environments", "staging.yaml"));
        Assert.Contains("id: staging\n", staging, StringComparison.Ordinal);
        Assert.Contains("  provider: nginx\n  backend: opensky", staging, StringComparison.Ordinal);
        Assert.Contains("  group1: { hosts: [web1] }\n  group2: { hosts: [web2] }\n  group3: { hosts: [web3] }\n", staging, StringComparison.Ordinal);
        Assert.Contains("  root: \"/srv/app\"\n  restart: \"systemctl restart opensky\"\n", staging, StringComparison.Ordinal);
        Assert.DoesNotContain("\nrepository:", staging, StringComparison.Ordinal);
    }

    [Fact]
    public void Init_ReferenceWorkflows_LinksTheTeamsWorkflowsSoAPullThereReachesTheWorkspace()
    {
        // The team's shared workflows as a submodule inside the workspace (platform/workflows), as teams keep them.
        var shared = Path.Combine(Workspace, "platform", "workflows");
        Directory.CreateDirectory(shared);
        foreach (var name in (string[])["hotfix.yaml", "daily-release.yaml", "rolling-deploy.yaml", "rollback.yaml"])
        {
            File.Copy(Path.Combine(TempWorkspace.RepositoryRoot(), "workflows", name), Path.Combine(shared, name));
        }

        var result = CliTestApp.Run("init", Workspace, "--reference-workflows", Path.Combine(Workspace, "platform"), "--no-input", "--output", "json");

        Assert.True(result.ExitCode == 0, result.Output);
        var outcomes = Outcomes(result.Output);
        Assert.Equal("linked", outcomes["workflows/rolling-deploy.yaml"]);
        var link = new FileInfo(Path.Combine(Workspace, "workflows", "rolling-deploy.yaml"));
        Assert.Equal(Path.Combine("..", "platform", "workflows", "rolling-deploy.yaml"), link.LinkTarget);
        // Only the team's workflows: no copy of a built-in one it does not have; environments and schemas as always.
        Assert.Equal(["daily-release.yaml", "hotfix.yaml", "rollback.yaml", "rolling-deploy.yaml"], Directory.EnumerateFiles(Path.Combine(Workspace, "workflows")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(Workspace, "workflows", "environments", "sandbox.yaml")));
        Assert.True(File.Exists(Path.Combine(Workspace, "schemas", "workflow.schema.json")));
        var validate = CliTestApp.Run("validate", Path.Combine(Workspace, "workflows"));
        Assert.True(validate.ExitCode == 0, validate.Output);

        // A pull in the shared checkout: the workspace runs the new text without another init.
        File.WriteAllText(Path.Combine(shared, "hotfix.yaml"), File.ReadAllText(Path.Combine(shared, "hotfix.yaml")).Replace("id: hotfix", "id: hotfix\n# pulled", StringComparison.Ordinal));
        Assert.Contains("# pulled", File.ReadAllText(Path.Combine(Workspace, "workflows", "hotfix.yaml")), StringComparison.Ordinal);

        // Again: links unchanged; a link the team replaced by its own file is kept unless --force.
        var own = Path.Combine(Workspace, "workflows", "rollback.yaml");
        File.Delete(own);
        File.WriteAllText(own, File.ReadAllText(Path.Combine(shared, "rollback.yaml")) + "# ours\n");
        var again = Outcomes(CliTestApp.Run("init", Workspace, "--reference-workflows", Path.Combine(Workspace, "platform"), "--no-input", "--output", "json").Output);
        Assert.Equal("unchanged", again["workflows/hotfix.yaml"]);
        Assert.Equal("kept", again["workflows/rollback.yaml"]);
        Assert.Null(new FileInfo(own).LinkTarget);
        var forced = Outcomes(CliTestApp.Run("init", Workspace, "--reference-workflows", Path.Combine(Workspace, "platform"), "--no-input", "--force", "--output", "json").Output);
        Assert.Equal("overwritten", forced["workflows/rollback.yaml"]);
        Assert.Equal(Path.Combine("..", "platform", "workflows", "rollback.yaml"), new FileInfo(own).LinkTarget);
    }

    [Fact]
    public void Init_ReferenceWorkflowsWithABrokenOne_ExitsOneWithItsLocationAndWritesNothing()
    {
        var shared = Path.Combine(_root, "platform");
        Directory.CreateDirectory(shared);
        File.Copy(Path.Combine(TempWorkspace.RepositoryRoot(), "workflows", "hotfix.yaml"), Path.Combine(shared, "hotfix.yaml"));
        File.WriteAllText(Path.Combine(shared, "broken.yaml"), "id: broken\nsteps:\n  - id: a\n    uses: shell.local\n    with: [oops\n");

        var result = CliTestApp.Run("init", Workspace, "--reference-workflows", shared, "--no-input");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken.yaml:", Squeeze(result.Output), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Workspace));

        var missing = CliTestApp.Run("init", Workspace, "--reference-workflows", Path.Combine(_root, "nowhere"), "--no-input");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("no such folder", Squeeze(missing.Output), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Outcomes(string json) =>
        JsonDocument.Parse(json).RootElement.GetProperty("files").EnumerateArray()
            .ToDictionary(f => f.GetProperty("path").GetString()!, f => f.GetProperty("outcome").GetString());

    [Fact]
    public void Help_ShowsExamples()
    {
        var result = CliTestApp.Run("init", "--help");

        Assert.Contains("gantry init deploy --env prod --hosts deploy@web[01:04].example.com", Squeeze(result.Output), StringComparison.Ordinal);
    }

    private Spectre.Console.Cli.Testing.CommandAppResult InitProd() =>
        CliTestApp.Run("init", Workspace, "--env", "prod", "--hosts", "deploy@web[1:4].example.test:2222", "--groups", "2", "--lb", "haproxy", "--backend", "app", "--root", "/srv/opensky", "--restart", "sudo systemctl restart opensky", "--no-input");

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
