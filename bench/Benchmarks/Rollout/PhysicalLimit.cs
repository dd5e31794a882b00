using System.Diagnostics;
using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// The fastest any tool could roll a release out on this fleet, measured from the fixture itself:
/// for each group, drain (no sessions are open in the benchmark, so only the maintenance switch) +
/// the slowest host's deploy and restart (every host of the group at once, run locally without SSH:
/// clone the tag, switch current, the fixture's restart command, until the app answers /health) +
/// the load balancer's health wait (one HAProxy check interval: rise 1), summed over the groups.
/// </summary>
internal static class PhysicalLimit
{
    public static async Task<TimeSpan> MeasureAsync(RealFleet fleet, RealFleetOptions options, string tag)
    {
        var total = TimeSpan.Zero;
        foreach (var group in fleet.Hosts.GroupBy(h => h.Group))
        {
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(group.Select(h => DeployLocallyAsync(fleet, h, tag)));
            total += clock.Elapsed + options.CheckInterval;
        }

        return total;
    }

    private static async Task DeployLocallyAsync(RealFleet fleet, FleetHost host, string tag)
    {
        var script = $"""
            set -e
            cd '{host.DeployRoot}'
            rm -rf releases/{tag} releases/{tag}.tmp
            git -c advice.detachedHead=false clone --quiet --depth 1 --branch {tag} '{fleet.OriginUrl}' releases/{tag}.tmp
            touch releases/{tag}.tmp/.gantry-complete
            mv -T releases/{tag}.tmp releases/{tag}
            ln -sfn releases/{tag} current.tmp && mv -T current.tmp current
            {fleet.RestartCommand(host)}
            """;
        await FleetCommand.RunAsync("sh", ["-c", script]);
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri(host.Url, "/health");
        while (true)
        {
            try
            {
                using var response = await client.GetAsync(health);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(10);
        }
    }
}
