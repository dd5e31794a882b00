using System.Diagnostics;
using System.Text.Json;
using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Releases;

/// <summary>
/// A fleet another tool deployed (as Capistrano and Fabric lay it out: releases/NAME exported without .git, a
/// REVISION file, current as an absolute symlink, the tool's own revisions.log lines), taken over with the real
/// <c>gantry</c> binary over real sshd, HAProxy and apps: status names the releases, rollback refuses until
/// <c>gantry deploy adopt</c> records them, then goes back to one Gantry never deployed.
/// </summary>
public sealed class AdoptForeignReleasesTests
{
    [Fact]
    public async Task Adopt_CapistranoStyleFleet_StatusNamesItAndRollbackGoesBackToAReleaseGantryNeverDeployed()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { HostsPerGroup = 1 });
        var now = DateTime.UtcNow;
        var commits = new Dictionary<string, string>();
        foreach (var tag in new[] { "v2.9.0", "v3.0.0" })
        {
            commits[tag] = await fleet.OriginGitAsync("rev-list", "-n", "1", tag);
        }

        foreach (var fleetHost in fleet.Hosts)
        {
            await LayOutAsAnotherToolAsync(fleet, fleetHost, commits, now);
        }

        var before = await GantryAsync(fleet, "status", "--env", fleet.EnvironmentId, "--output", "json");
        Assert.True(before.ExitCode == 0, before.Output);
        var foreignHost = JsonDocument.Parse(before.Output).RootElement.GetProperty("groups")[0].GetProperty("hosts")[0];
        Assert.Equal("v3.0.0", foreignHost.GetProperty("current").GetString());
        Assert.True(foreignHost.GetProperty("current_is_foreign").GetBoolean());
        Assert.Equal(["v3.1.0", "v3.0.0", "v2.9.0"], foreignHost.GetProperty("foreign").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(0, foreignHost.GetProperty("releases").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, foreignHost.GetProperty("drift").ValueKind);
        Assert.True(foreignHost.GetProperty("healthy").GetBoolean());

        var refused = await GantryAsync(fleet, "rollback", "--env", fleet.EnvironmentId);
        Assert.True(refused.ExitCode == 1, refused.Output);
        Assert.True(
            Squeeze(refused.Output).Contains("there is no release older than v3.0.0 on web1, web2; web1, web2 keep releases another tool deployed (web1: v3.1.0, v2.9.0; web2: v3.1.0, v2.9.0), which Gantry goes back to once recorded: gantry deploy adopt --env e2e; name a release with --to; nothing was changed", StringComparison.Ordinal),
            refused.Output);
        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(h)));

        var adopt = await GantryAsync(fleet, "deploy", "adopt", "--env", fleet.EnvironmentId);
        Assert.True(adopt.ExitCode == 0, adopt.Output);
        Assert.True(adopt.Output.Contains("✓ web1 on v3.0.0: adopted v3.0.0, v2.9.0", StringComparison.Ordinal) && adopt.Output.Contains("left alone: v3.1.0 (empty)", StringComparison.Ordinal), adopt.Output);
        var web1 = fleet.Hosts[0];
        var log = File.ReadAllLines(Path.Combine(web1.DeployRoot, "revisions.log"));
        Assert.StartsWith("Branch production (at ", log[0], StringComparison.Ordinal);
        Assert.Equal(["found", "v2.9.0", "-"], log[^2].Split('\t')[1..4]);
        Assert.Equal(["adopt", "v3.0.0", "v2.9.0"], log[^1].Split('\t')[1..4]);
        Assert.Equal(commits["v3.0.0"][..7], log[^1].Split('\t')[5]);
        Assert.True(File.Exists(Path.Combine(web1.DeployRoot, "releases", "v2.9.0", ".gantry-complete")));
        Assert.Equal(now.AddDays(-1), Directory.GetLastWriteTimeUtc(Path.Combine(web1.DeployRoot, "releases", "v3.0.0")), TimeSpan.FromSeconds(1));

        var again = await GantryAsync(fleet, "deploy", "adopt", "--env", fleet.EnvironmentId);
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.True(again.Output.Contains("✓ web1 on v3.0.0: nothing to adopt", StringComparison.Ordinal), again.Output);
        Assert.Equal(log, File.ReadAllLines(Path.Combine(web1.DeployRoot, "revisions.log")));

        var status = await GantryAsync(fleet, "status", "--env", fleet.EnvironmentId, "--output", "json");
        Assert.True(status.ExitCode == 0, status.Output);
        var host = JsonDocument.Parse(status.Output).RootElement.GetProperty("groups")[0].GetProperty("hosts")[0];
        Assert.Equal(
            ["v3.0.0 adopt " + commits["v3.0.0"][..7], "v2.9.0 found " + commits["v2.9.0"][..7]],
            host.GetProperty("releases").EnumerateArray().Select(r => $"{r.GetProperty("name").GetString()} {r.GetProperty("action").GetString()} {r.GetProperty("commit").GetString()}"));
        Assert.Equal(JsonValueKind.Null, host.GetProperty("drift").ValueKind);
        Assert.Equal(["v3.1.0"], host.GetProperty("foreign").EnumerateArray().Select(f => f.GetString()));

        var rollback = await GantryAsync(fleet, "rollback", "--env", fleet.EnvironmentId);
        Assert.True(rollback.ExitCode == 0, rollback.Output + "\n" + await fleet.DescribeAsync());
        Assert.True(rollback.Output.Contains("rollback goes to v2.9.0", StringComparison.Ordinal), rollback.Output);
        Assert.All(fleet.Hosts, h => Assert.Equal("v2.9.0", fleet.CurrentReleaseOf(h)));
        Assert.Equal(["2.9.0", "2.9.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
    }

    [Fact]
    public async Task FirstDeploy_OnACapistranoStyleFleet_AdoptsWhatItFindsSoRollbackGoesBackToTheOtherToolsRelease()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { HostsPerGroup = 1 });
        var now = DateTime.UtcNow;
        var commits = new Dictionary<string, string>();
        foreach (var tag in new[] { "v2.9.0", "v3.0.0" })
        {
            commits[tag] = await fleet.OriginGitAsync("rev-list", "-n", "1", tag);
        }

        foreach (var fleetHost in fleet.Hosts)
        {
            await LayOutAsAnotherToolAsync(fleet, fleetHost, commits, now);
        }

        await fleet.PublishReleaseAsync("3.2.0");

        // No `deploy adopt` first: the deploy itself records what the other tool left, then deploys.
        var deploy = await GantryAsync(fleet, "deploy", "--env", fleet.EnvironmentId, "--target", "group1", "--ref", "v3.2.0", "--allow-live");
        Assert.True(deploy.ExitCode == 0, deploy.Output + "\n" + await fleet.DescribeAsync());
        Assert.Contains("adopted v3.0.0, v2.9.0 (deployed by another tool) into Gantry's history before the first deploy", Squeeze(deploy.Output), StringComparison.Ordinal);
        var web1 = fleet.Hosts[0];
        Assert.Equal("v3.2.0", fleet.CurrentReleaseOf(web1));
        var log = File.ReadAllLines(Path.Combine(web1.DeployRoot, "revisions.log"));
        Assert.Equal(["found", "v2.9.0", "-"], log[^3].Split('\t')[1..4]);
        Assert.Equal(["adopt", "v3.0.0", "v2.9.0"], log[^2].Split('\t')[1..4]);
        Assert.Equal(["v3.2.0", "v3.0.0"], log[^1].Split('\t')[2..4]);

        // A second deploy finds a host Gantry deployed: nothing more is adopted.
        var again = await GantryAsync(fleet, "deploy", "--env", fleet.EnvironmentId, "--target", "group1", "--ref", "v3.2.0", "--allow-live");
        Assert.True(again.ExitCode == 0, again.Output);
        Assert.DoesNotContain("adopted", again.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllLines(Path.Combine(web1.DeployRoot, "revisions.log")).Skip(log.Length), l => l.Contains("\tadopt\t", StringComparison.Ordinal));

        // Rollback without --to goes back to the release the other tool deployed.
        var rollback = await GantryAsync(fleet, "deploy", "rollback", "--env", fleet.EnvironmentId, "--target", "group1", "--allow-live");
        Assert.True(rollback.ExitCode == 0, rollback.Output + "\n" + await fleet.DescribeAsync());
        Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(web1));
        Assert.Equal("3.0.0", await fleet.ServedVersionAsync(web1));
        // The other group was not deployed: it keeps the other tool's layout untouched.
        Assert.Equal(2, File.ReadAllLines(Path.Combine(fleet.Hosts[1].DeployRoot, "revisions.log")).Length);
    }

    /// <summary>
    /// The host as the other tool left it: v2.9.0 (two days old) and v3.0.0 (current, a day old) exported with a
    /// REVISION file and no Gantry marker, an empty v3.1.0 from a deploy that failed at once, current as an absolute
    /// link, and the other tool's own revisions.log.
    /// </summary>
    private static async Task LayOutAsAnotherToolAsync(RealFleet fleet, FleetHost host, Dictionary<string, string> commits, DateTime now)
    {
        var releases = Path.Combine(host.DeployRoot, "releases");
        Directory.Delete(Path.Combine(releases, "v3.0.0"), recursive: true);
        foreach (var tag in new[] { "v2.9.0", "v3.0.0" })
        {
            var folder = Path.Combine(releases, tag);
            await RunAsync("git", "clone", "-q", "--depth", "1", "--branch", tag, fleet.OriginUrl, folder);
            Directory.Delete(Path.Combine(folder, ".git"), recursive: true);
            await File.WriteAllTextAsync(Path.Combine(folder, "REVISION"), commits[tag] + "\n");
        }

        Directory.CreateDirectory(Path.Combine(releases, "v3.1.0"));
        Directory.SetLastWriteTimeUtc(Path.Combine(releases, "v2.9.0"), now.AddDays(-2));
        Directory.SetLastWriteTimeUtc(Path.Combine(releases, "v3.0.0"), now.AddDays(-1));
        Directory.SetLastWriteTimeUtc(Path.Combine(releases, "v3.1.0"), now.AddHours(-1));
        var current = Path.Combine(host.DeployRoot, "current");
        File.Delete(current);
        File.CreateSymbolicLink(current, Path.Combine(releases, "v3.0.0"));
        await File.WriteAllLinesAsync(Path.Combine(host.DeployRoot, "revisions.log"),
        [
            $"Branch production (at {commits["v2.9.0"][..7]}) deployed as release v2.9.0 by deploy",
            $"Branch production (at {commits["v3.0.0"][..7]}) deployed as release v3.0.0 by deploy",
        ]);
    }

    private static async Task<(int ExitCode, string Output)> GantryAsync(RealFleet fleet, params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "gantry.dll");
        var start = new ProcessStartInfo("dotnet", [dll, .. args]) { WorkingDirectory = fleet.WorkspaceDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment.Remove("GANTRY_DB");
        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "400";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(bound.Token);
        return (process.ExitCode, await output + await error);
    }

    private static async Task RunAsync(string program, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(program, args) { RedirectStandardError = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', args)}: {error}");
    }

    private static string Squeeze(string text) => string.Join(' ', text.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
}
