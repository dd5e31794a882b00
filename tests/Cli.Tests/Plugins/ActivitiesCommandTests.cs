using System.Text.Json;
using Gantry.Cli.Infrastructure;
using Spectre.Console.Cli.Testing;
using Spectre.Console.Testing;

namespace Gantry.Cli.Tests.Plugins;

public sealed class ActivitiesCommandTests : IDisposable
{
    private readonly PluginFolder _plugins = new();

    public void Dispose() => _plugins.Dispose();

    private CommandAppResult Run(params string[] args)
    {
        var tester = new CommandAppTester(new TypeRegistrar(CliServices.Create(_plugins.Root)), new CommandAppTesterSettings(), new TestConsole().Width(400));
        tester.Configure(GantryApp.Configure);
        return tester.Run(args);
    }

    [Fact]
    public void Activities_PluginsAndABrokenOne_ListsPluginActivitiesWithInputsAndPrintsTheFailure()
    {
        _plugins.Add("Notify.Plugin");
        var broken = _plugins.AddFile("Broken.Plugin/Broken.Plugin.dll", "not an assembly");

        var result = Run("activities");

        Assert.Equal(1, result.ExitCode);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        var slack = lines.IndexOf("notify.slack (plugin Notify.Plugin) Post a message to a Slack incoming webhook whose URL is a secret.");
        Assert.True(slack >= 0, result.Output);
        Assert.Equal("    text: string, required - The message.", lines[slack + 1]);
        Assert.Equal("    webhook_secret: string, default \"slack_webhook\" - Name of the secret that holds the incoming-webhook URL.", lines[slack + 2]);
        Assert.Contains("lb.flip (Gantry.Providers) Brings the out group live, then takes the live group out.", lines);
        Assert.Equal($"plugin failed: {broken}: not a .NET assembly (bad image): Bad IL format. The format of the file '{broken}' is invalid.", lines.Last(l => l.Length > 0));
    }

    [Fact]
    public void Activities_Json_ListsEveryActivityWithSourceAndFailures()
    {
        _plugins.Add("Notify.Plugin");
        _plugins.Add("Conflict.Plugin");

        var result = Run("activities", "--output", "json");

        Assert.Equal(0, result.ExitCode);
        using var json = JsonDocument.Parse(result.Output);
        var activities = json.RootElement.GetProperty("activities").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal("plugin Conflict.Plugin", activities["conflict.json-version"].GetProperty("source").GetString());
        var kv = activities["kv.set"];
        Assert.Equal("kv", kv.GetProperty("provider").GetString());
        Assert.Equal("plugin Notify.Plugin", kv.GetProperty("source").GetString());
        Assert.Equal(["url", "key", "value"], kv.GetProperty("inputs").EnumerateArray().Select(i => i.GetProperty("name").GetString()));
        Assert.All(kv.GetProperty("inputs").EnumerateArray(), i => Assert.True(i.GetProperty("required").GetBoolean()));
        Assert.Equal("Gantry.Engine", activities["log"].GetProperty("source").GetString());
        Assert.Equal(0, json.RootElement.GetProperty("failures").GetArrayLength());
        Assert.Equal(["Conflict.Plugin", "Notify.Plugin"], json.RootElement.GetProperty("plugins").EnumerateArray().Select(p => p.GetProperty("name").GetString()));
    }
}
