using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;

namespace Gantry.Cli.Tests.Samples;

/// <summary>Installs templates/gantry-provider into a private template hive, instantiates it and builds the result, against the engine project or the packed engine in a local feed.</summary>
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
            "--engine-path", Path.Combine(root, "src", "Engine", "Engine.csproj"), "--debug:custom-hive", hive);

        Assert.Equal(
            ["Team.Deploy.Tests/GreetActivityTests.cs", "Team.Deploy.Tests/Team.Deploy.Tests.csproj", "Team.Deploy/GreetActivity.cs", "Team.Deploy/Team.Deploy.csproj"],
            Directory.GetFiles(output, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(output, f).Replace('\\', '/')).Order(StringComparer.Ordinal));
        Assert.Contains("namespace Team.Deploy;", await File.ReadAllTextAsync(Path.Combine(output, "Team.Deploy", "GreetActivity.cs")));
        Assert.DoesNotContain("Gantry.Engine\" Version", await File.ReadAllTextAsync(Path.Combine(output, "Team.Deploy", "Team.Deploy.csproj")));

        var configuration = Configuration();
        var build = await DotnetAsync(output, "build", Path.Combine(output, "Team.Deploy.Tests", "Team.Deploy.Tests.csproj"), "-c", configuration, "--nologo", "-v", "q");
        Assert.Contains("0 Error(s)", build);
        Assert.True(File.Exists(Path.Combine(output, "Team.Deploy", "bin", configuration, "net10.0", "Team.Deploy.dll")));
    }

    [Fact]
    public async Task NewGantryProvider_AgainstThePackedEngineInALocalFeed_BuildsAndItsTestsPass()
    {
        var root = RepositoryRoot();
        var configuration = Configuration();
        var feed = Path.Combine(_temp, "feed");
        // A version of its own, so that no package cached by an earlier run stands in for this build.
        var version = $"0.1.0-t{Guid.NewGuid():N}";
        var cached = CachedPackageFolder("gantry.engine", version);
        try
        {
            await DotnetAsync(root, "pack", Path.Combine(root, "src", "Engine", "Engine.csproj"), "-c", configuration, "--no-build", "--nologo", "-o", feed, $"-p:PackageVersion={version}");

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
            Assert.Contains($"<PackageReference Include=\"Gantry.Engine\" Version=\"{version}\" ExcludeAssets=\"runtime\" />", await File.ReadAllTextAsync(Path.Combine(output, "Team.Flags", "Team.Flags.csproj")));

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
            Assert.False(File.Exists(Path.Combine(providerOutput, "Gantry.Engine.dll")), "the plugin output must leave the engine to its host");
        }
        finally
        {
            if (Directory.Exists(cached))
            {
                Directory.Delete(cached, recursive: true);
            }
        }
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
