using System.Globalization;
using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// <c>-- rollout [--hosts 2,5,10] [--repeat 3] [--timeline] [--gantry PATH]</c>: on a real fleet of two groups of N hosts in the
/// issue's shape (<see cref="IssueFleet"/>), each repetition measures the physical limit, then rolls a new stable tag out with
/// Gantry's rolling-deploy (in this warm process, as a <c>gantry run</c> process, through a warm <c>gantry serve</c>), with
/// Fabric serial and with Fabric parallel, and checks every host ended on it. Every tool's rollout runs under the same load
/// (<see cref="SteadyLoad"/>), whose failed requests are counted per tool.
/// Prints the median and minimum of each; <c>--timeline</c> also prints each Gantry run's journal with times. BenchmarkDotNet is not used: one rollout takes seconds and
/// needs a fleet started around it.
/// </summary>
internal static class RolloutBench
{
    public static async Task RunAsync(string[] args)
    {
        var sizes = Option(args, "--hosts", "2,5,10").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var repeat = int.Parse(Option(args, "--repeat", "3"), CultureInfo.InvariantCulture);
        var timeline = args.Contains("--timeline");
        var gantry = Path.GetFullPath(Option(args, "--gantry", GantryProcessRollout.DefaultGantry()));
        using var shape = await IssueFleet.CreateAsync();
        var rows = new List<string>();
        foreach (var size in sizes)
        {
            rows.Add(await MeasureAsync(shape.Options(size), repeat, timeline, gantry));
            Console.WriteLine(rows[^1]);
        }

        Console.WriteLine();
        Console.WriteLine($"rollout, 2 groups, {repeat} repetitions, median (min), {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, load {File.ReadAllText("/proc/loadavg").Trim()}, CLI {gantry}");
        Console.WriteLine("| hosts per group | physical limit | Gantry in process | Gantry `gantry run` | Gantry warm `gantry serve` | Fabric serial | Fabric parallel | `gantry run` / Fabric parallel | `gantry serve` / Fabric parallel | a group out of rotation (all Gantry runs) | failed requests: Gantry, Fabric (of requests) |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
    }

    private static async Task<string> MeasureAsync(RealFleetOptions options, int repeat, bool timeline, string gantryCli)
    {
        var size = options.HostsPerGroup;
        await using var fleet = await RealFleet.StartAsync(options);
        await using var gantry = await GantryRollout.OpenAsync(fleet);
        await using var processes = new GantryProcessRollout(fleet, gantryCli);
        var fabric = await FabricRollout.CreateAsync(fleet);
        var tags = new TagMaker(fleet);
        var load = new LoadTally(fleet);
        Console.WriteLine($"{size} hosts/group: {await SshProbe.MeasureAsync(fleet)}");

        // Warm-up, not counted: JIT and first connections of this process.
        var warm = await tags.NextAsync();
        Console.WriteLine($"{size} hosts/group: warm-up Gantry run {Seconds(await gantry.RunAsync())}");
        await VerifyAsync(fleet, warm);
        await processes.StartServeAsync();
        warm = await tags.NextAsync();
        Console.WriteLine($"{size} hosts/group: warm-up gantry serve run {Seconds((await processes.RunServeAsync()).Wall)}");
        await VerifyAsync(fleet, warm);

        List<TimeSpan> cli = [], serve = [];
        List<TimeSpan> limit = [], ours = [], serial = [], parallel = [], serialProcess = [], parallelProcess = [], outOfRotation = [];
        for (var i = 1; i <= repeat; i++)
        {
            limit.Add(await PhysicalLimit.MeasureAsync(fleet, options, await tags.NextAsync()));

            // The limit restarts every app behind HAProxy's back: start each tool from a fleet that is all UP.
            await WaitAllUpAsync(fleet);

            var tag = await tags.NextAsync();
            ours.Add(await load.GantryAsync($"{size} hosts/group #{i} in process", gantry.RunAsync));
            await VerifyAsync(fleet, tag);
            var groupsOut = await gantry.OutOfRotationAsync();
            outOfRotation.AddRange(groupsOut);
            if (timeline)
            {
                (await gantry.TimelineAsync()).ToList().ForEach(Console.WriteLine);
            }

            tag = await tags.NextAsync();
            cli.Add(await load.GantryAsync($"{size} hosts/group #{i} gantry run", processes.RunCliAsync));
            await VerifyAsync(fleet, tag);
            var cliOut = await gantry.OutOfRotationAsync(await gantry.NewestRunIdAsync());
            outOfRotation.AddRange(cliOut);

            tag = await tags.NextAsync();
            var (wall, runId) = await load.GantryAsync($"{size} hosts/group #{i} gantry serve", processes.RunServeAsync);
            serve.Add(wall);
            await VerifyAsync(fleet, tag);
            var serveOut = await gantry.OutOfRotationAsync(runId);
            outOfRotation.AddRange(serveOut);
            Console.WriteLine($"{size} hosts/group #{i}: gantry run {Seconds(cli[^1])} (groups out {string.Join(" + ", cliOut.Select(Seconds))}), gantry serve {Seconds(wall)} (groups out {string.Join(" + ", serveOut.Select(Seconds))})");

            tag = await tags.NextAsync();
            var (rollout, process) = await load.FabricAsync($"{size} hosts/group #{i} Fabric serial", () => fabric.RunAsync("serial"));
            (serial, serialProcess) = ([.. serial, rollout], [.. serialProcess, process]);
            await VerifyAsync(fleet, tag);

            tag = await tags.NextAsync();
            (rollout, process) = await load.FabricAsync($"{size} hosts/group #{i} Fabric parallel", () => fabric.RunAsync("parallel"));
            (parallel, parallelProcess) = ([.. parallel, rollout], [.. parallelProcess, process]);
            await VerifyAsync(fleet, tag);

            Console.WriteLine(
                $"{size} hosts/group #{i}: limit {Seconds(limit[^1])}, Gantry {Seconds(ours[^1])} (CPU {Seconds(gantry.LastCpu)}, groups out {string.Join(" + ", groupsOut.Select(Seconds))}), "
                + $"Fabric serial {Seconds(serial[^1])} (process {Seconds(serialProcess[^1])}), Fabric parallel {Seconds(parallel[^1])} (process {Seconds(parallelProcess[^1])}, CPU {Seconds(fabric.LastCpu)})");
        }

        return $"| {size} | {Stat(limit)} | {Stat(ours)} | {Stat(cli)} | {Stat(serve)} | {Stat(serial)} | {Stat(parallel)} | {Median(cli) / Median(parallel):0.00} | {Median(serve) / Median(parallel):0.00} | {Stat(outOfRotation)} (max {outOfRotation.Max().TotalSeconds:0.00}) | {load.Summary} |";
    }

    /// <summary>Every host on the tag, serving, and every HAProxy server UP: a rollout that did not finish its job is not timed.</summary>
    private static async Task VerifyAsync(RealFleet fleet, string tag)
    {
        var wrong = fleet.Hosts.Where(h => fleet.CurrentReleaseOf(h) != tag).Select(h => $"{h.Name} on {fleet.CurrentReleaseOf(h)}").ToList();
        var statuses = await fleet.HAProxyStatusesAsync();
        wrong.AddRange(statuses.Where(s => s.Value != "UP").Select(s => $"{s.Key} {s.Value}"));
        if (wrong.Count > 0)
        {
            throw new InvalidOperationException($"after rolling out {tag}: {string.Join(", ", wrong)}");
        }
    }

    private static async Task WaitAllUpAsync(RealFleet fleet)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await fleet.HAProxyStatusesAsync()).Where(s => s.Value != "UP").ToList() is { Count: > 0 } down)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"HAProxy still reports {string.Join(", ", down.Select(s => $"{s.Key} {s.Value}"))} 30 s after the limit's restarts");
            }

            await Task.Delay(20);
        }
    }

    private static string Option(string[] args, string name, string fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : fallback;
    }

    private static double Median(List<TimeSpan> values)
    {
        var sorted = values.Select(v => v.TotalSeconds).Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Stat(List<TimeSpan> values) => $"{Median(values):0.00} s ({values.Min().TotalSeconds:0.00})";

    private static string Seconds(TimeSpan value) => $"{value.TotalSeconds:0.00} s";

    /// <summary>A new highest stable tag (v3.0.1, v3.0.2, …) on origin's production branch before each rollout, so each deploys a release the hosts do not have.</summary>
    private sealed class TagMaker(RealFleet fleet)
    {
        private int _patch;

        public async Task<string> NextAsync()
        {
            // A real release (version.ini bumped, then tagged): the fleet's health check expects the app to name it.
            var version = $"3.0.{++_patch}";
            await fleet.PublishReleaseAsync(version);
            return "v" + version;
        }
    }
}
