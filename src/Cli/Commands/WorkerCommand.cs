using System.ComponentModel;
using System.Runtime.InteropServices;
using Gantry.Cli.Infrastructure;
using Gantry.Cli.Running;
using Gantry.Engine.Runtime;
using Gantry.Engine.Schema;
using Gantry.Server.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary>
/// <c>gantry worker</c>: this process becomes a node that claims runs from the store and executes
/// them under leases until SIGTERM or Ctrl+C: then it claims nothing more, gives its runs --stop-grace to finish or
/// reach a wait, hands the others back at their last journaled step and exits 0 (a second Ctrl+C exits at once).
/// Under systemd (<c>Type=notify</c>) it reports READY=1 once it claims runs and STOPPING=1 when the stop begins.
/// </summary>
public sealed class WorkerCommand(IAnsiConsole console) : AsyncCommand<WorkerCommand.Settings>
{
    /// <summary>How long runs may take to finish or reach a wait once a stop begins, unless --stop-grace says otherwise.</summary>
    public static readonly TimeSpan DefaultStopGrace = TimeSpan.FromSeconds(30);

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

        [CommandOption("--stop-grace <DURATION>")]
        [Description(
            "On SIGTERM or a first Ctrl+C: how long running runs may take to finish or reach a wait before they are handed back at their last "
            + "journaled step (default 30s).")]
        public string? StopGrace { get; init; }

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

            if (StopGrace is not null && (!Duration.TryParse(StopGrace, out var grace) || grace < TimeSpan.Zero))
            {
                return ValidationResult.Error($"--stop-grace '{StopGrace}' is not a duration such as 30s");
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
        var options = new RunWorkerOptions
        {
            MaxConcurrentRuns = settings.MaxRuns,
            Lease = RunHost.LeaseFromEnvironment() ?? TimeSpan.FromSeconds(30),
        };
        options.NodeId = settings.NodeId ?? options.NodeId;
        if (Duration.TryParse(settings.Lease, out var lease))
        {
            options.Lease = lease;
        }

        if (Duration.TryParse(settings.Poll, out var poll))
        {
            options.PollInterval = poll;
        }

        var grace = Duration.TryParse(settings.StopGrace, out var stopGrace) ? stopGrace : DefaultStopGrace;
        await using var host = await RunHost
            .OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken, options)
            .ConfigureAwait(false);
        host.Worker.Log = line => ServiceConsole.WriteLine(console, line);
        var systemd = new ServiceNotifier { Failed = line => ServiceConsole.WriteLine(console, line) };
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var handBack = new CancellationTokenSource();
        using var stopping = stop.Token.Register(() =>
        {
            // Claiming stops now; runs executing here get the grace to finish or reach a wait, then are handed back.
            systemd.Stopping($"stopping: runs get {Duration.Format(grace)} to finish or reach a wait");
            host.Worker.Log?.Invoke(
                $"node {host.Worker.NodeId} stopping: no more claims; runs executing here get {Duration.Format(grace)} to finish or reach a wait");
            handBack.CancelAfter(grace);
        });
        using var handingBack = handBack.Token.Register(host.Engine.HandBackRuns);
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            // The first Ctrl+C stops like SIGTERM; a second one exits at once.
            e.Cancel = !stop.IsCancellationRequested;
            stop.Cancel();
        };
        Console.CancelKeyPress += handler;
        using var terminate = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            // systemctl stop: the same graceful stop as a first Ctrl+C, then exit 0.
            signal.Cancel = true;
            stop.Cancel();
        });
        var pruning = RetentionOption.Resolve(settings.Retention) is { } keep
            ? new RetentionPruner(host.Retention, keep, TimeProvider.System, host.Logging.CreateLogger<RetentionPruner>())
            {
                Pruned = (count, cutoff) =>
                {
                    if (count > 0)
                    {
                        host.Worker.Log?.Invoke($"retention pruned {count} runs finished before {cutoff:u}");
                    }
                },
            }.RunAsync(stop.Token)
            : Task.CompletedTask;
        // Every worker node looks at the schedules; the store's run ids make each tick one run.
        var schedules = host.Scheduler(TimeProvider.System, host.Worker.Log).RunAsync(stop.Token);
        var keepAlive = systemd.KeepAliveAsync(TimeProvider.System, stop.Token);
        systemd.Ready($"node {host.Worker.NodeId} claiming runs");
        try
        {
            await host.Worker.RunAsync(stop.Token).ConfigureAwait(false);
            await pruning.ConfigureAwait(false);
            await Task.WhenAny(schedules).ConfigureAwait(false);
            await keepAlive.ConfigureAwait(false);
        }
        finally
        {
            // Also stops the pruner when the worker failed rather than being stopped.
            await stop.CancelAsync().ConfigureAwait(false);
            Console.CancelKeyPress -= handler;
        }

        ServiceConsole.WriteLine(console, $"node {host.Worker.NodeId} stopped");
        return ExitCodes.Ok;
    }
}
