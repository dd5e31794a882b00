using System.ComponentModel;
using Gantry.Cli.Running;
using Gantry.Engine.Runtime;
using Gantry.Engine.Schema;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry worker</c>: this process becomes a node that claims runs from the store and executes
/// them under leases until Ctrl+C (then it finishes or suspends what it runs; a second Ctrl+C exits at once).
/// </summary>
public sealed class WorkerCommand(IAnsiConsole console) : AsyncCommand<WorkerCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandOption("--node-id <ID>")]
        [Description("This node's name in leases (default: machine name and process id).")]
        public string? NodeId { get; init; }

        [CommandOption("--lease <DURATION>")]
        [Description("How long a claim holds a run without renewal (default 30s, or GANTRY_LEASE).")]
        public string? Lease { get; init; }

        [CommandOption("--poll <DURATION>")]
        [Description("How often to look for runs and due timers (default 1s).")]
        public string? Poll { get; init; }

        [CommandOption("--retention <DURATION>")]
        [Description("How long finished runs are kept, pruned hourly: e.g. 30d (the default, or GANTRY_RETENTION); 0 or off keeps them for ever.")]
        public string? Retention { get; init; }

        [CommandOption("--max-runs <N>")]
        [Description("Runs executed at once (default 4).")]
        [DefaultValue(4)]
        public int MaxRuns { get; init; } = 4;

        public override ValidationResult Validate()
        {
            if (Lease is not null && (!Duration.TryParse(Lease, out var lease) || lease <= TimeSpan.Zero))
            {
                return ValidationResult.Error($"--lease '{Lease}' is not a duration such as 30s");
            }

            if (Poll is not null && (!Duration.TryParse(Poll, out var poll) || poll <= TimeSpan.Zero))
            {
                return ValidationResult.Error($"--poll '{Poll}' is not a duration such as 1s");
            }

            if (RetentionOption.Validate(Retention) is { Successful: false } retention)
            {
                return retention;
            }

            return MaxRuns < 1 ? ValidationResult.Error("--max-runs must be at least 1") : base.Validate();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new RunWorkerOptions { MaxConcurrentRuns = settings.MaxRuns, Lease = RunHost.LeaseFromEnvironment() ?? TimeSpan.FromSeconds(30) };
        options.NodeId = settings.NodeId ?? options.NodeId;
        if (Duration.TryParse(settings.Lease, out var lease))
        {
            options.Lease = lease;
        }

        if (Duration.TryParse(settings.Poll, out var poll))
        {
            options.PollInterval = poll;
        }

        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken, options).ConfigureAwait(false);
        host.Worker.Log = line => console.MarkupLine($"[grey]{DateTimeOffset.Now:HH:mm:ss}[/] {Markup.Escape(line)}");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            // The first Ctrl+C stops claiming and lets running runs reach their end or next wait.
            e.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        };
        Console.CancelKeyPress += handler;
        var pruning = RetentionOption.Resolve(settings.Retention) is { } keep
            ? new RetentionPruner(host.Retention, keep, TimeProvider.System)
            {
                Pruned = (count, cutoff) =>
                {
                    if (count > 0)
                    {
                        host.Worker.Log?.Invoke($"retention pruned {count} runs finished before {cutoff:u}");
                    }
                },
                Failed = ex => host.Worker.Log?.Invoke($"retention prune failed, retried in an hour: {ex.Message}"),
            }.RunAsync(stop.Token)
            : Task.CompletedTask;
        // Every worker node looks at the schedules; the store's run ids make each tick one run.
        var schedules = host.Scheduler(TimeProvider.System, host.Worker.Log).RunAsync(stop.Token);
        try
        {
            await host.Worker.RunAsync(stop.Token).ConfigureAwait(false);
            await pruning.ConfigureAwait(false);
            await Task.WhenAny(schedules).ConfigureAwait(false);
        }
        finally
        {
            // Also stops the pruner when the worker failed rather than being stopped.
            await stop.CancelAsync().ConfigureAwait(false);
            Console.CancelKeyPress -= handler;
        }

        console.MarkupLine($"node {Markup.Escape(host.Worker.NodeId)} stopped");
        return ExitCodes.Ok;
    }
}
