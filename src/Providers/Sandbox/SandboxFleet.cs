using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Engine.Model;
using Gantry.Providers.LoadBalancers;

namespace Gantry.Providers.Sandbox;

/// <summary>
/// A simulated fleet: load-balancer server states and host releases, kept in a JSON file under
/// Gantry's data folder so that separate CLI invocations (run, then signal) see one fleet.
/// It obeys the real providers' contracts; failures are injected through the environment's vars
/// (<c>sandbox_fail_restart: [web3]</c>, <c>sandbox_down: [web2]</c>).
/// </summary>
internal sealed class SandboxFleet
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter() },
    };
    private static readonly Lock FileGate = new();
    private readonly string _path;

    public SandboxFleet(EnvironmentDefinition environment, string dataDirectory)
    {
        Environment = environment;
        _path = Path.Combine(dataDirectory, "sandbox", $"{environment.Id}.json");
    }

    public EnvironmentDefinition Environment { get; }

    /// <summary>Reads, changes and writes the state under one lock, so concurrent steps never lose an update.</summary>
    public T Update<T>(Func<FleetState, T> change)
    {
        lock (FileGate)
        {
            var state = Load();
            var result = change(state);
            state.MinLiveGroupsSeen = Math.Min(state.MinLiveGroupsSeen, LiveGroups(state));
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            // A temp file of this process's own: another process on the data folder never moves it away.
            var temp = $"{_path}.{System.Environment.ProcessId}.tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(state, Json));
            File.Move(temp, _path, overwrite: true);
            return result;
        }
    }

    public FleetState Read()
    {
        lock (FileGate)
        {
            return Load();
        }
    }

    public IReadOnlyList<string> InjectedList(string name) =>
        Environment.Vars.TryGetValue(name, out var value) && value is IEnumerable<object?> list
            ? list.Select(v => v?.ToString() ?? "").ToList()
            : [];

    private FleetState Load()
    {
        var state = File.Exists(_path) ? JsonSerializer.Deserialize<FleetState>(File.ReadAllText(_path), Json) ?? new FleetState() : new FleetState();
        foreach (var (name, host) in Environment.Hosts)
        {
            var server = host.LbServer ?? name;
            state.Servers.TryAdd(server, new SimulatedServer());
            state.Hosts.TryAdd(name, new SimulatedHost { Current = InitialRelease(), Releases = [InitialRelease()] });
        }

        if (state.MinLiveGroupsSeen == int.MaxValue)
        {
            state.MinLiveGroupsSeen = LiveGroups(state);
        }

        return state;
    }

    private string InitialRelease() =>
        Environment.Vars.TryGetValue("sandbox_initial_release", out var v) && v is string s ? s : "v3.0.0";

    private int LiveGroups(FleetState state) =>
        Environment.Groups.Count(g =>
            g.Value.Hosts.All(h =>
                state.Servers.TryGetValue(Environment.Hosts[h].LbServer ?? h, out var s)
                && s.Admin == AdminState.Ready
                && s.Health != HealthState.Down));
}

internal sealed class FleetState
{
    public Dictionary<string, SimulatedServer> Servers { get; set; } = [];

    public Dictionary<string, SimulatedHost> Hosts { get; set; } = [];

    /// <summary>The fewest live groups ever observed: the proof that a rollout never took the site down.</summary>
    public int MinLiveGroupsSeen { get; set; } = int.MaxValue;

    public List<string> History { get; set; } = [];
}

internal sealed class SimulatedServer
{
    public AdminState Admin { get; set; } = AdminState.Ready;

    public HealthState Health { get; set; } = HealthState.Up;
}

internal sealed class SimulatedHost
{
    public string? Current { get; set; }

    public List<string> Releases { get; set; } = [];

    public List<string> Revisions { get; set; } = [];
}
