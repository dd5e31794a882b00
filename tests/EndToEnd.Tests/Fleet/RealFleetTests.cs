using Gantry.Testing.Fleet;

namespace Gantry.EndToEnd.Tests.Fleet;

/// <summary>The fixture itself: what the end-to-end tests start from.</summary>
public sealed class RealFleetTests
{
    [Fact]
    public async Task StartAsync_DefaultOptions_EveryHostServesInitialReleaseThroughHAProxyAndEveryServerUp()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());

        Assert.Equal(["web1 group1", "web2 group1", "web3 group2", "web4 group2"], fleet.Hosts.Select(h => $"{h.Name} {h.Group}"));
        Assert.Equal(["3.0.0", "3.0.0", "3.0.0", "3.0.0"], await Task.WhenAll(fleet.Hosts.Select(h => fleet.ServedVersionAsync(h))));
        Assert.All(fleet.Hosts, h => Assert.Equal("v3.0.0", fleet.CurrentReleaseOf(h)));
        Assert.Equal("web1=UP web2=UP web3=UP web4=UP", Describe(await fleet.HAProxyStatusesAsync()));

        await using var load = fleet.StartLoad();
        await Eventually.TrueAsync(() => load.Sent >= 20, "the load loop sends 20 requests");

        var result = await load.StopAsync();
        Assert.Equal([], result.Failures);
        using var client = new HttpClient();
        Assert.Equal("3.0.0", (await client.GetStringAsync(fleet.FrontendUri)).Trim());
    }

    [Fact]
    public async Task StartAsync_DefaultOptions_OriginHasTheScenarioHistory()
    {
        await using var fleet = await RealFleet.StartAsync(new RealFleetOptions());

        Assert.Equal("develop\nproduction", await fleet.OriginGitAsync("for-each-ref", "--format=%(refname:short)", "refs/heads"));
        Assert.Equal("nightly\nrelease-1\nv2.9.0\nv3\nv3.0.0\nv3.1.0-rc.1", await fleet.OriginGitAsync("tag", "--list"));
        Assert.Equal(FleetOrigin.Ini("3.0.0").TrimEnd('\n'), await fleet.OriginGitAsync("show", $"production:{FleetOrigin.VersionIni}"));
        Assert.Contains($"  web1: {{ address: 127.0.0.2, root: \"{fleet.Hosts[0].DeployRoot}\", lb_server: web1, vars: {{ app_port: {fleet.Hosts[0].Port} }} }}", fleet.EnvironmentYaml, StringComparison.Ordinal);
        Assert.Equal(
            Directory.EnumerateFiles(Path.Combine(FleetCommand.RepositoryRoot(), "workflows"), "*.yaml")
                .Select(f => Path.GetFileName(f)).Append("environments/e2e.yaml").Order(StringComparer.Ordinal),
            Directory.EnumerateFiles(Path.Combine(fleet.WorkspaceDirectory, "workflows"), "*.yaml", SearchOption.AllDirectories)
                .Select(f => Path.GetRelativePath(Path.Combine(fleet.WorkspaceDirectory, "workflows"), f)).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task StartAsync_WithOriginHistory_TagsHoldTheHistorysVendorTreeAndHostsServe()
    {
        var folder = Directory.CreateTempSubdirectory("gantry-e2e-history-").FullName;
        try
        {
            var history = await FleetOriginHistory.CreateAsync(folder);
            await using var fleet = await RealFleet.StartAsync(new RealFleetOptions { Groups = 1, HostsPerGroup = 1, OriginHistory = history });

            var sizes = (await fleet.OriginGitAsync("ls-tree", "-r", "-l", "v3.0.0", "vendor")).Split('\n')
                .Select(line => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3].Split('\t')[0], System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(FleetOriginHistory.Files, sizes.Count);
            Assert.Equal(FleetOriginHistory.TreeBytes, sizes.Sum());
            Assert.Equal($"{FleetOriginHistory.Commits + 2}", await fleet.OriginGitAsync("rev-list", "--count", "v3.0.0"));
            Assert.Equal("nightly\nrelease-1\nv2.9.0\nv3\nv3.0.0\nv3.1.0-rc.1", await fleet.OriginGitAsync("tag", "--list"));
            Assert.Equal("3.0.0", await fleet.ServedVersionAsync(fleet.Hosts[0]));
            Assert.Equal(FleetOriginHistory.FileBytes, new FileInfo(Path.Combine(fleet.Hosts[0].DeployRoot, "current", "vendor", "lib39.js")).Length);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    internal static string Describe(IReadOnlyDictionary<string, string> statuses) =>
        string.Join(" ", statuses.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));
}
