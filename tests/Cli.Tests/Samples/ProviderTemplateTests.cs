using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Gantry.Cli.Tests.Samples;

/// <summary>
/// Installs templates/gantry-provider into a private template hive, instantiates it and builds the result, against
/// the repository's projects or the packed packages in a local feed. The provider references only the plugin
/// contract (Gantry.Abstractions): no engine, no database driver reaches it or its output folder.
/// </summary>
public sealed class ProviderTemplateTests : IDisposable
{
    private readonly string _temp = Directory.CreateTempSubdirectory("gantry-template-").FullName;

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    [Fact]
    public async Task NewGantryProvider_WithProjectReference_CreatesAProviderAndTestsThatBuild()
    {
        var root = RepositoryRoot();
        var hive = Path.Combine(_temp, "hive");
        var output = Path.Combine(_temp, "Team.Deploy");
        await DotnetAsync(_temp, "new", "install", Path.Combine(root, "templates", "gantry-provider"), "--debug:custom-hive", hive);

        await DotnetAsync(_temp, "new", "gantry-provider", "-n", "Team.Deploy", "-o", output, "--engine-reference", "project",
            "--engine-path", Path.Combine(root, "src", "Engine", "Engine.csproj"),
            "--abstractions-path", Path.Combine(root, "src", "Abstractions", "Abstractions.csproj"), "--debug:custom-hive", hive);

        Assert.Equal(
            ["Team.Deploy.Tests/GreetActivityTests.cs", "Team.Deploy.Tests/Team.Deploy.Tests.csproj", "Team.Deploy/GreetActivity.cs", "Team.Deploy/Team.Deploy.csproj"],
            Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Contains("namespace Team.Deploy;", await File.ReadAllTextAsync(Path.Combine(output, "Team.Deploy", "GreetActivity.cs")));
        var provider = await File.ReadAllTextAsync(Path.Combine(output, "Team.Deploy", "Team.Deploy.csproj"));
        Assert.DoesNotContain("\" Version", provider, StringComparison.Ordinal);
        Assert.Contains("Abstractions.csproj\" Private=\"false\"", provider, StringComparison.Ordinal);
        Assert.DoesNotContain("Engine.csproj", provider, StringComparison.Ordinal);

        var configuration = Configuration();
        var build = await DotnetAsync(output, "build", Path.Combine(output, "Team.Deploy.Tests", "Team.Deploy.Tests.csproj"), "-c", configuration, "--nologo", "-v", "q");
        Assert.Contains("0 Error(s)", build);
        var providerOutput = Path.Combine(output, "Team.Deploy", "bin", configuration, "net10.0");
        Assert.True(File.Exists(Path.Combine(providerOutput, "Team.Deploy.dll")));
        AssertOnlyThePluginsOwnAssemblies(providerOutput, "Team.Deploy.dll");
    }

    [Fact]
    public async Task NewGantryProvider_AgainstThePackedEngineInALocalFeed_BuildsAndItsTestsPass()
    {
        var root = RepositoryRoot();
        var configuration = Configuration();
        var feed = Path.Combine(_temp, "feed");
        // A version of its own, so that no package cached by an earlier run stands in for this build.
        var version = $"0.1.0-t{Guid.NewGuid():N}";
        string[] cached = [CachedPackageFolder("gantry.engine", version), CachedPackageFolder("gantry.abstractions", version)];
        try
        {
            await DotnetAsync(root, "pack", Path.Combine(root, "src", "Abstractions", "Abstractions.csproj"), "-c", configuration, "--no-build", "--nologo", "-o", feed, $"-p:PackageVersion={version}");
            await DotnetAsync(root, "pack", Path.Combine(root, "src", "Engine", "Engine.csproj"), "-c", configuration, "--no-build", "--nologo", "-o", feed, $"-p:PackageVersion={version}");

            // What a plugin author gets: the contract and two small libraries, no database driver, no engine.
            Assert.Equal(
                ["Cronos", "Microsoft.Extensions.DependencyInjection.Abstractions"],
                PackageDependencies(Path.Combine(feed, $"Gantry.Abstractions.{version}.nupkg")).Select(d => d.Id).Order(StringComparer.Ordinal));

            // The engine no longer brings the drivers either: an embedding program picks its store package.
            var engineDependencies = PackageDependencies(Path.Combine(feed, $"Gantry.Engine.{version}.nupkg"));
            Assert.Contains(("Gantry.Abstractions", version), engineDependencies);
            Assert.DoesNotContain(engineDependencies, d => d.Id is "Npgsql" or "Microsoft.Data.Sqlite" || d.Id.StartsWith("SQLitePCLRaw", StringComparison.Ordinal));

            using (var package = ZipFile.OpenRead(Path.Combine(feed, $"Gantry.Engine.{version}.nupkg")))
            {
                var entries = package.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
                Assert.Superset(new HashSet<string>(["lib/net10.0/Gantry.Engine.dll", "lib/net10.0/Gantry.Engine.xml", "README.md", "Gantry.Engine.nuspec"], StringComparer.Ordinal), entries);
                await using var nuspecStream = package.GetEntry("Gantry.Engine.nuspec")!.Open();
                var metadata = XDocument.Load(nuspecStream).Root!.Elements().Single(e => e.Name.LocalName == "metadata");
                string? Field(string name) => metadata.Elements().SingleOrDefault(e => e.Name.LocalName == name)?.Value;
                var repository = metadata.Elements().Single(e => e.Name.LocalName == "repository");
                Assert.Equal((version, "Gantry.Engine", "MIT"), (Field("version"), Field("id"), Field("license")));
                Assert.Equal(("git", "https://example.invalid/gantry"), ((string?)repository.Attribute("type"), (string?)repository.Attribute("url")));
                Assert.Matches("^[0-9a-f]{40}$", (string?)repository.Attribute("commit") ?? "");
            }

            Assert.True(File.Exists(Path.Combine(feed, $"Gantry.Engine.{version}.snupkg")), "the symbol package was not written");

            var hive = Path.Combine(_temp, "hive");
            var output = Path.Combine(_temp, "Team.Flags");
            await DotnetAsync(_temp, "new", "install", Path.Combine(root, "templates", "gantry-provider"), "--debug:custom-hive", hive);
            await DotnetAsync(_temp, "new", "gantry-provider", "-n", "Team.Flags", "-o", output, "--engine-version", version, "--debug:custom-hive", hive);
            var provider = await File.ReadAllTextAsync(Path.Combine(output, "Team.Flags", "Team.Flags.csproj"));
            Assert.Contains($"<PackageReference Include=\"Gantry.Abstractions\" Version=\"{version}\" ExcludeAssets=\"runtime\" />", provider, StringComparison.Ordinal);
            Assert.DoesNotContain("Gantry.Engine", provider, StringComparison.Ordinal);

            // The local feed next to the machine's configured sources, which still serve xunit and the test SDK.
            await File.WriteAllTextAsync(Path.Combine(output, "nuget.config"), $"""
                <?xml version="1.0" encoding="utf-8"?>
                <configuration>
                  <packageSources>
                    <add key="gantry-local" value="{feed}" />
                  </packageSources>
                </configuration>
                """);
            var test = await DotnetAsync(output, "test", Path.Combine(output, "Team.Flags.Tests", "Team.Flags.Tests.csproj"), "--nologo");

            Assert.Matches(@"Passed!\s+-\s+Failed:\s+0, Passed:\s+1, Skipped:\s+0, Total:\s+1", test);
            var providerOutput = Path.Combine(output, "Team.Flags", "bin", "Debug", "net10.0");
            Assert.True(File.Exists(Path.Combine(providerOutput, "Team.Flags.dll")), "the provider was not built");
            AssertOnlyThePluginsOwnAssemblies(providerOutput, "Team.Flags.dll");
        }
        finally
        {
            foreach (var folder in cached.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>
    /// The plugin folder a user copies into <c>plugins/</c> holds the plugin and its own libraries, nothing of its
    /// host: no Gantry assembly, no database driver (managed or native), not the contract's own dependencies.
    /// </summary>
    internal static void AssertOnlyThePluginsOwnAssemblies(string pluginOutput, params string[] own)
    {
        var files = Directory.GetFiles(pluginOutput, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(pluginOutput, f).Replace('\\', '/')).ToList();
        Assert.Equal(own.Order(StringComparer.Ordinal), files.Where(f => f.EndsWith(".dll", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".so", StringComparison.OrdinalIgnoreCase)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(files, f => f.Contains("sqlite", StringComparison.OrdinalIgnoreCase) || f.Contains("npgsql", StringComparison.OrdinalIgnoreCase) || f.StartsWith("runtimes/", StringComparison.Ordinal));
    }

    /// <summary>The dependencies a package's nuspec declares, as id and version range.</summary>
    internal static IReadOnlyList<(string Id, string Version)> PackageDependencies(string nupkg)
    {
        using var package = ZipFile.OpenRead(nupkg);
        var nuspec = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = nuspec.Open();
        return XDocument.Load(stream).Descendants().Where(e => e.Name.LocalName == "dependency")
            .Select(e => ((string?)e.Attribute("id") ?? "", (string?)e.Attribute("version") ?? "")).ToList();
    }

    /// <summary>Where NuGet caches a package version, deleted after a test that packed a throwaway version.</summary>
    internal static string CachedPackageFolder(string lowerCaseId, string version)
    {
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(packages, lowerCaseId, version);
    }

    // Same configuration as this test run, so the engine project is already built.
    internal static string Configuration() =>
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";

    private static string RepositoryRoot()
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

    internal static async Task<string> DotnetAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        // No MSBuild or compiler servers left running after the test.
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["UseSharedCompilation"] = "false";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
