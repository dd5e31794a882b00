using System.ComponentModel;
using Gantry.Providers.LoadBalancers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Lb;

/// <summary><c>gantry lb status --env ENV</c>: every group and server as the load balancer reports them now.</summary>
public sealed class LbStatusCommand(IAnsiConsole console, LoadBalancerFactory loadBalancers) : LbCommand<LbSettings>(console, loadBalancers)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        LbSettings settings,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.GetStatusAsync(cancellationToken);
}

/// <summary><c>gantry lb live --env ENV GROUP...</c>: exactly these groups live, every other group drained and out.</summary>
public sealed class LbLiveCommand(IAnsiConsole console, LoadBalancerFactory loadBalancers) : LbCommand<LbLiveCommand.Settings>(console, loadBalancers)
{
    public sealed class Settings : LbSettings
    {
        [CommandArgument(0, "<GROUP>")]
        [Description("Groups to make live; every other group goes out of rotation.")]
        public string[] Groups { get; init; } = [];
    }

    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        Settings settings,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.SetLiveAsync(settings.Groups, progress, cancellationToken);
}

/// <summary><c>gantry lb flip --env ENV</c>: the out group live, then the live group out.</summary>
public sealed class LbFlipCommand(IAnsiConsole console, LoadBalancerFactory loadBalancers) : LbCommand<LbSettings>(console, loadBalancers)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        LbSettings settings,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.FlipAsync(progress, cancellationToken);
}

/// <summary><c>gantry lb all --env ENV</c>: every group live.</summary>
public sealed class LbAllCommand(IAnsiConsole console, LoadBalancerFactory loadBalancers) : LbCommand<LbSettings>(console, loadBalancers)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        LbSettings settings,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.AllAsync(progress, cancellationToken);
}

/// <summary><c>gantry lb restore --env ENV</c>: every group whose servers are healthy back live; takes nothing out.</summary>
public sealed class LbRestoreCommand(IAnsiConsole console, LoadBalancerFactory loadBalancers) : LbCommand<LbSettings>(console, loadBalancers)
{
    protected override Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        LbSettings settings,
        IProgress<string> progress,
        CancellationToken cancellationToken
    ) => controller.RestoreAsync(progress, cancellationToken);
}
