namespace Gantry.Cli.Tests.Samples;

/// <summary>
/// The sample plugins reference only Gantry.Abstractions: their build output, the folder a team copies into
/// <c>plugins/</c>, holds their own assemblies and private libraries, and neither Gantry nor a database driver.
/// </summary>
public sealed class SamplePluginOutputTests
{
    [Theory]
    [InlineData("Notify.Plugin", new[] { "Notify.Plugin.dll", "Newtonsoft.Json.dll" })]
    [InlineData("Conflict.Plugin", new[] { "Conflict.Plugin.dll", "Newtonsoft.Json.dll" })]
    [InlineData("FileBalancer.Plugin", new[] { "FileBalancer.Plugin.dll" })]
    public void BuildOutput_OfASamplePlugin_HoldsOnlyItsOwnAssemblies(string plugin, string[] own)
    {
        var output = Path.Combine(TempWorkspace.RepositoryRoot(), "samples", plugin, "bin", ProviderTemplateTests.Configuration(), "net10.0");

        ProviderTemplateTests.AssertOnlyThePluginsOwnAssemblies(output, own);
        var deps = File.ReadAllText(Path.Combine(output, $"{plugin}.deps.json"));
        Assert.DoesNotContain("Npgsql", deps, StringComparison.Ordinal);
        Assert.DoesNotContain("Microsoft.Data.Sqlite", deps, StringComparison.Ordinal);
    }
}
