using System.ComponentModel.DataAnnotations;
using Gantry.Cli.Infrastructure;
using Gantry.Engine.Activities;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests;

/// <summary>Runs <c>gantry</c> in-process with a wide test console, the real services plus a few test activities.</summary>
internal static class CliTestApp
{
    public static CommandAppResult Run(params string[] args) => Run(new TestConsole().Width(400), args);

    /// <summary>Runs with a console of the test's own (an interactive one shows the live step tree).</summary>
    public static CommandAppResult Run(TestConsole console, params string[] args)
    {
        var services = CliServices.Create().AddActivity<TestLatestTag>().AddActivity<TestDeploy>().AddActivity<TestFlip>();
        var tester = new CommandAppTester(new TypeRegistrar(services), new CommandAppTesterSettings(), console);
        tester.Configure(GantryApp.Configure);
        return tester.Run(args);
    }
}

/// <summary>A throwaway workspace (workflows/ and workflows/environments/) in a temp folder.</summary>
internal sealed class TempWorkspace : IDisposable
{
    public string Root { get; } = Directory.CreateTempSubdirectory("gantry-cli-").FullName;

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Copies a folder of the repository (e.g. workflows/) into the workspace.</summary>
    public void CopyFromRepository(string relative)
    {
        var source = Path.Combine(RepositoryRoot(), relative);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(Root, relative, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public static string RepositoryRoot()
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

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

public sealed class TagInputs
{
    public string Ref { get; set; } = "stable";
}

public sealed class TagOutputs
{
    public string Tag { get; set; } = "";
}

[Activity("test.latest-tag")]
public sealed class TestLatestTag : Activity<TagInputs, TagOutputs>
{
    protected override Task<TagOutputs> ExecuteAsync(ActivityContext<TagInputs> context, CancellationToken cancellationToken) => Task.FromResult(new TagOutputs());
}

public sealed class DeployInputs
{
    [Required]
    public string Target { get; set; } = "";

    [Required]
    public string Tag { get; set; } = "";

    [Sensitive]
    public string? Password { get; set; }
}

[Activity("deploy.test-release")]
public sealed class TestDeploy : Activity<DeployInputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<DeployInputs> context, CancellationToken cancellationToken) => Task.FromResult(new NoOutputs());
}

[Activity("lb.test-flip")]
public sealed class TestFlip : Activity<NoInputs, NoOutputs>
{
    protected override Task<NoOutputs> ExecuteAsync(ActivityContext<NoInputs> context, CancellationToken cancellationToken) => Task.FromResult(new NoOutputs());
}
