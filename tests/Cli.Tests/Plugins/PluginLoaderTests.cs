using Gantry.Engine.Loading;
using Gantry.Engine.Plugins;
using Gantry.Engine.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Gantry.Cli.Tests.Plugins;

public sealed class PluginLoaderTests : IDisposable
{
    private readonly PluginFolder _plugins = new();

    public void Dispose() => _plugins.Dispose();

    [Fact]
    public async Task LoadInto_TwoPluginsWithDifferentLibraryVersions_EachRunsWithItsOwnInAWorkflow()
    {
        // The built folder itself: loading it again in other tests reuses the same load contexts.
        var services = new ServiceCollection().AddGantryEngine();
        var report = PluginLoader.LoadInto(services, PluginFolder.Built);

        Assert.Empty(report.Failures);
        Assert.Equal(["Conflict.Plugin", "Notify.Plugin"], report.Loaded.Select(p => p.Name));
        Assert.Equal(["kv.set", "notify.json-version", "notify.slack"], report.Loaded[1].Activities.Order(StringComparer.Ordinal));
        await using var provider = services.BuildServiceProvider();
        var engine = provider.GetRequiredService<WorkflowEngine>();
        var workflow = DocumentLoader.LoadWorkflow("""
            id: versions
            steps:
              - id: notify
                uses: notify.json-version
              - id: conflict
                uses: conflict.json-version
            """, "versions.yaml").GetOrThrow();

        var run = await engine.StartAsync(new StartRunRequest { Workflow = workflow }, CancellationToken.None);
        var finished = await engine.RunAsync(run.Id, CancellationToken.None);

        Assert.Equal(RunStatus.Succeeded, finished.Status);
        var outputs = (await provider.GetRequiredService<IRunStore>().ReadJournalAsync(run.Id, 0, CancellationToken.None))
            .Where(e => e.Type == JournalEventTypes.StepSucceeded)
            .ToDictionary(e => e.StepId!, e => (IReadOnlyDictionary<string, object?>)e.Outputs!);
        Assert.Equal("13.0.0.0", outputs["notify"]["version"]);
        Assert.Equal("12.0.0.0", outputs["conflict"]["version"]);
        Assert.Equal("{\"plugin\":\"conflict\"}", outputs["conflict"]["sample"]);
    }

    [Fact]
    public void LoadInto_TextFileNamedLikeTheDll_ReportsPathAndReasonAndLoadsTheOthers()
    {
        _plugins.Add("Notify.Plugin");
        var broken = _plugins.AddFile("Broken.Plugin/Broken.Plugin.dll", "not an assembly");

        var report = PluginLoader.LoadInto(new ServiceCollection(), _plugins.Root);

        Assert.Equal(["Notify.Plugin"], report.Loaded.Select(p => p.Name));
        var failure = Assert.Single(report.Failures);
        Assert.Equal(broken, failure.Path);
        Assert.Equal("not a .NET assembly (bad image): Bad IL format. The format of the file '" + broken + "' is invalid.", failure.Reason);
    }

    [Fact]
    public void LoadInto_PluginWithoutItsDependency_ReportsTheMissingAssembly()
    {
        var folder = _plugins.Add("Conflict.Plugin", leaveOut: "Newtonsoft.Json.dll");

        var report = PluginLoader.LoadInto(new ServiceCollection(), _plugins.Root);

        Assert.Empty(report.Loaded);
        Assert.Equal(
            [new PluginLoadFailure(Path.Combine(folder, "Conflict.Plugin.dll"), "missing dependency Newtonsoft.Json 12.0.0.0: it is neither in the plugin folder nor shared by the host")],
            report.Failures);
    }

    [Fact]
    public void LoadInto_TwoPluginsDeclaringOneActivityName_ReportsTheSecondAndKeepsTheFirst()
    {
        // A copy under another folder name is found by its .deps.json and loads as a second, distinct assembly.
        _plugins.Add("Notify.Plugin", "Notify.Copy");
        var second = _plugins.Add("Notify.Plugin");

        var report = PluginLoader.LoadInto(new ServiceCollection(), _plugins.Root);

        Assert.Equal(["Notify.Copy"], report.Loaded.Select(p => p.Name));
        var failure = Assert.Single(report.Failures);
        Assert.Equal(Path.Combine(second, "Notify.Plugin.dll"), failure.Path);
        Assert.Equal("duplicate activity name 'notify.json-version': Notify.Plugin.JsonVersionActivity clashes with Notify.Plugin.JsonVersionActivity from Notify.Plugin", failure.Reason);
    }

    [Fact]
    public void LoadInto_FolderWithoutAssembly_ReportsWhatWasExpected()
    {
        _plugins.AddFile("Empty.Plugin/readme.txt", "nothing here");

        var report = PluginLoader.LoadInto(new ServiceCollection(), _plugins.Root);

        Assert.Equal(
            [new PluginLoadFailure(Path.Combine(_plugins.Root, "Empty.Plugin"), "no plugin assembly: expected Empty.Plugin.dll or one *.deps.json with its dll in the folder")],
            report.Failures);
    }

    [Fact]
    public void LoadInto_MissingFolder_LoadsNothing()
    {
        var report = PluginLoader.LoadInto(new ServiceCollection(), Path.Combine(_plugins.Root, "absent"));

        Assert.Equal(PluginLoadReport.Empty(Path.Combine(_plugins.Root, "absent")).Folder, report.Folder);
        Assert.Empty(report.Loaded);
        Assert.Empty(report.Failures);
    }
}
