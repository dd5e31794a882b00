using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// The fleet issue #20 measured on, for the rollout and rollback benches: HAProxy checks every 200 ms
/// (the fixture's default), an app that is down 1 s per restart (the issue's 1 s boot), an origin with a
/// few MB of history whose tags each hold 4 MB (<see cref="FleetOriginHistory"/>: a clone costs a real
/// fetch), and <see cref="RealFleet.StartSteadyLoad"/> as the load (100 req/s, 5 % one-second requests).
/// The tests keep the fixture's faster defaults.
/// </summary>
internal sealed class IssueFleet : IDisposable
{
    /// <summary>How long the app is down per restart.</summary>
    public static readonly TimeSpan AppBoot = TimeSpan.FromSeconds(1);

    private readonly string _folder;

    private IssueFleet(string folder, string history)
    {
        _folder = folder;
        History = history;
    }

    /// <summary>The origin history every fleet of this bench run starts from.</summary>
    public string History { get; }

    /// <summary>Builds the origin history once for the whole bench run.</summary>
    public static async Task<IssueFleet> CreateAsync()
    {
        var folder = Directory.CreateTempSubdirectory("gantry-bench-origin-").FullName;
        return new IssueFleet(folder, await FleetOriginHistory.CreateAsync(Path.Combine(folder, "history")));
    }

    /// <summary>Two groups of <paramref name="hostsPerGroup"/> hosts in the issue's shape.</summary>
    public RealFleetOptions Options(int hostsPerGroup, string initialTag = "v3.0.0") => new()
    {
        HostsPerGroup = hostsPerGroup,
        InitialTag = initialTag,
        RestartDownTime = AppBoot,
        OriginHistory = History,
    };

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind must not fail the bench.
        }
    }
}
