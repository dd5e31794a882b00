using Gantry.Engine.Runtime;

namespace Gantry.Cli.Tests.Durable.Rollouts;

/// <summary>
/// Runs rollouts (<c>rolling-deploy</c> and <c>hotfix</c> on the sandbox, <c>rolling-deploy</c> on the real fleet: the
/// <see cref="IRolloutTarget"/>) one after another, started by CLI processes
/// (<c>gantry run</c>, attached or <c>--detach</c>), each hotfix released by <c>gantry runs signal</c> from
/// another process, while a seeded RNG SIGKILLs a random process (a node or the CLI process of the run) at
/// random moments, several times for some runs. A killed node is restarted with its command; a killed
/// <c>gantry run</c> is followed by <c>gantry runs resume</c>, a killed <c>gantry runs signal</c> by the
/// signal again if it was not journaled, as a user would.
/// </summary>
internal sealed class RolloutKillScenario(DurableWorkspace workspace, IRolloutTarget target, IReadOnlyList<KillableNode> nodes, int seed, Action<string> log)
{
    private readonly Random _random = new(seed);
    private readonly List<GantryProcess> _cli = [];

    /// <summary>The runs in the order they were started.</summary>
    public List<string> Runs { get; } = [];

    /// <summary>SIGKILLs sent, by victim kind.</summary>
    public Dictionary<string, int> Kills { get; } = [];

    public async Task RunAsync(int runs)
    {
        try
        {
            for (var i = 0; i < runs; i++)
            {
                await target.BeforeRunAsync(i);
                await OneRunAsync(target.WorkflowOf(i), first: i == 0);
            }
        }
        finally
        {
            _cli.ForEach(p => p.Dispose());
        }
    }

    private async Task OneRunAsync(string workflow, bool first)
    {
        var attached = _random.Next(2) == 0;
        string[] start = ["run", workflow, "--env", target.Environment, .. attached ? Array.Empty<string>() : ["--detach"]];
        var cli = StartCli(start);
        var id = await NewRunAsync();
        log($"run {id}: {workflow} started by gantry {string.Join(' ', start)}");
        string[] command = start;
        if (workflow == "hotfix")
        {
            var branch = await ReviewBranchAsync(id);
            command = ["runs", "signal", id, "pull_request", "--merged-into", branch];
            cli = StartCli(command);
            log($"run {id}: signal from another process: gantry {string.Join(' ', command)}");
        }

        // One run in three is left alone, but never the first: with few runs (3 on the real fleet) a seed could
        // otherwise plan no kill at all (1 in 27), and the test would prove nothing (seed 1638543819 did).
        var kills = !first && _random.Next(3) == 0 ? 0 : _random.Next(1, 4);
        for (var k = 0; k < kills; k++)
        {
            // The chaos schedule, not a wait for something: a random moment of the rollout.
            await Task.Delay(_random.Next(0, 2500));
            var run = await workspace.Runs.GetRunAsync(id, CancellationToken.None);
            if (run!.IsFinished)
            {
                break;
            }

            var victims = nodes.Select(n => (Name: n.Name, Node: (KillableNode?)n)).ToList();
            if (!cli.HasExited)
            {
                victims.Add(("cli", null));
            }

            var (name, node) = victims[_random.Next(victims.Count)];
            var journal = await workspace.JournalAsync(id);
            log($"run {id}: SIGKILL {name} after {journal.Count} events{(journal.Count > 0 ? $" (last: {journal[^1].Type} {journal[^1].StepId})" : "")}");
            Kills[name == "cli" ? "cli" : name.Split('-')[0]] = Kills.GetValueOrDefault(name == "cli" ? "cli" : name.Split('-')[0]) + 1;
            if (node is not null)
            {
                node.KillAndRestart();
                continue;
            }

            cli.Kill();
            cli = await AfterCliKilledAsync(id, command);
        }

        await WaitFinishedAsync(id);
        var context = $"seed {seed}, {kills} kills planned";
        await RolloutInvariants.AssertRanOnceAsync(workspace, id, context);
        await target.AssertEveryHostOnTargetAsync(context);
    }

    /// <summary>What a user does after the terminal died: the signal again if it never arrived, else <c>gantry runs resume</c>.</summary>
    private async Task<GantryProcess> AfterCliKilledAsync(string id, string[] command)
    {
        // --merged-into sends the merge, the review and the check in one commit: any of them journaled means all
        // were. (Sent one by one, a kill between them left the step waiting for the rest while this check said
        // "delivered", and the run waited forever: seed 1997671025.)
        var signalled = (await workspace.JournalAsync(id)).Any(e => e.Type == JournalEventTypes.SignalReceived);
        string[] again = command[0] == "runs" && !signalled ? command : ["runs", "resume", id];
        log($"run {id}: restarted as gantry {string.Join(' ', again)}");
        return StartCli(again);
    }

    private GantryProcess StartCli(string[] args)
    {
        var process = workspace.Start(args);
        _cli.Add(process);
        return process;
    }

    private async Task<string> NewRunAsync()
    {
        string? id = null;
        await DurableWorkspace.WaitForAsync(
            async () =>
            {
                var all = await workspace.Runs.ListRunsAsync(new RunQuery { Limit = 1000 }, CancellationToken.None);
                id = all.Select(r => r.Id).FirstOrDefault(r => !Runs.Contains(r));
                return id is not null;
            },
            TimeSpan.FromSeconds(60),
            () => $"the new run to be created (seed {seed}; CLI said: {string.Join(" | ", _cli[^1].Output)})");
        Runs.Add(id!);
        return id!;
    }

    private Task<string> ReviewBranchAsync(string id) => HotfixReview.BranchAsync(workspace, id, () => $"seed {seed}; {Said()}");

    private async Task WaitFinishedAsync(string id) =>
        await DurableWorkspace.WaitForAsync(
            async () => (await workspace.Runs.GetRunAsync(id, CancellationToken.None))!.IsFinished,
            TimeSpan.FromSeconds(90),
            () => $"run {id} to finish (seed {seed}; {Said()})");

    private string Said() =>
        string.Join(" || ", nodes.Select(n => $"{n.Name}: {string.Join(" | ", n.Output.TakeLast(30))}").Append($"cli: {string.Join(" | ", _cli.TakeLast(3).SelectMany(p => p.Output))}"));
}
