using System.Diagnostics;

namespace Gantry.Cli.Tests.Samples;

/// <summary>Installs templates/gantry-provider into a private template hive, instantiates it and builds the result.</summary>
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

        // Same configuration as this test run, so the engine project is already built.
        var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
        var build = await DotnetAsync(output, "build", Path.Combine(output, "Team.Deploy.Tests", "Team.Deploy.Tests.csproj"), "-c", configuration, "--nologo", "-v", "q");
        Assert.Contains("0 Error(s)", build);
        Assert.True(File.Exists(Path.Combine(output, "Team.Deploy", "bin", configuration, "net10.0", "Team.Deploy.dll")));
    }

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

    private static async Task<string> DotnetAsync(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }
}
