using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Gantry.Engine.Loading;
using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// The Fabric 2 baseline: <c>bench/fabric/fabfile.py</c>'s <c>rollout</c> task (the scenario's
/// five commands in one <c>fab</c> process) against the same fleet, serial or parallel within a group.
/// </summary>
internal sealed class FabricRollout
{
    /// <summary>Debian's python3-fabric is installed for the system Python; <c>python3 -m fabric</c> is its <c>fab</c>.</summary>
    public const string Python = "/usr/bin/python3";

    private readonly string _fleetJson;
    private readonly string _fabfileFolder;

    private FabricRollout(string fleetJson, string fabfileFolder)
    {
        _fleetJson = fleetJson;
        _fabfileFolder = fabfileFolder;
    }

    /// <summary>Writes the fleet description the fabfile reads (GANTRY_FLEET).</summary>
    public static async Task<FabricRollout> CreateAsync(RealFleet fleet)
    {
        var environment = DocumentLoader.LoadEnvironment(fleet.EnvironmentYaml, fleet.EnvironmentPath).GetOrThrow();
        var description = new Dictionary<string, object?>
        {
            ["user"] = environment.Ssh.User,
            ["ssh_port"] = environment.Ssh.Port,
            ["key_file"] = environment.Ssh.KeyFile,
            ["known_hosts"] = environment.Ssh.KnownHosts,
            ["haproxy_socket"] = fleet.HAProxySocketPath,
            ["backend"] = fleet.HAProxyBackend,
            ["origin"] = fleet.OriginUrl,
            ["drain_timeout"] = environment.LoadBalancer.DrainTimeout.TotalSeconds,
            ["health_timeout"] = environment.LoadBalancer.HealthTimeout.TotalSeconds,
            ["groups"] = fleet.Hosts.GroupBy(h => h.Group).ToDictionary(
                g => g.Key,
                g => g.Select(h => new Dictionary<string, object?>
                {
                    ["name"] = h.Name,
                    ["address"] = h.Address,
                    ["port"] = h.Port,
                    ["root"] = h.DeployRoot,
                    ["restart"] = fleet.RestartCommand(h),
                }).ToList()),
        };
        var path = Path.Combine(fleet.Root, "fabric-fleet.json");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(description));
        return new FabricRollout(path, Path.Combine(FleetCommand.RepositoryRoot(), "bench", "fabric"));
    }

    /// <summary>The CPU time (user + system) of the last <see cref="RunAsync"/>'s fab process, start-up included.</summary>
    public TimeSpan LastCpu { get; private set; }

    /// <summary>Runs <c>fab rollout --ref stable --mode MODE</c>; returns the task's own time and the process's wall time.</summary>
    public async Task<(TimeSpan Rollout, TimeSpan Process)> RunAsync(string mode)
    {
        var clock = Stopwatch.StartNew();
        var output = await FleetCommand.RunAsync(
            Python,
            ["-m", "fabric", "--search-root", _fabfileFolder, "rollout", "--ref", "stable", "--mode", mode],
            new Dictionary<string, string> { ["GANTRY_FLEET"] = _fleetJson });
        clock.Stop();
        var cpu = output.Split('\n').Single(l => l.StartsWith("cpu ", StringComparison.Ordinal));
        LastCpu = TimeSpan.FromSeconds(double.Parse(cpu[4..^1], CultureInfo.InvariantCulture));
        var line = output.Split('\n').Single(l => l.StartsWith("rollout ", StringComparison.Ordinal));
        var seconds = double.Parse(line[(line.LastIndexOf(' ') + 1)..^1], CultureInfo.InvariantCulture);
        return (TimeSpan.FromSeconds(seconds), clock.Elapsed);
    }
}
