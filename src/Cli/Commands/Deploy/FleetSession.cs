using Gantry.Cli.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.Deploy;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;

namespace Gantry.Cli.Commands.Deploy;

/// <summary>
/// What <c>gantry deploy</c> and <c>gantry deploy rollback</c> share: the environment, the
/// workspace's data folder, secrets masked on the console, and the same target resolution and
/// deployers a workflow's <c>deploy.release</c> step uses.
/// </summary>
internal sealed class FleetSession : IDisposable
{
    private readonly ServiceProvider _services;

    private FleetSession(IAnsiConsole console, EnvironmentDefinition environment, string dataDirectory)
    {
        Console = console;
        Environment = environment;
        DataDirectory = dataDirectory;
        var masker = new SecretMasker();
        Secrets = new SecretStore(environment, masker);
        Log = new ConsoleStepLog(console, masker);
        _services = new ServiceCollection().AddGantryProviders().BuildServiceProvider();
        RunId = "cli-" + Guid.NewGuid().ToString("N")[..12];
    }

    public IAnsiConsole Console { get; }

    public EnvironmentDefinition Environment { get; }

    public string DataDirectory { get; }

    public SecretStore Secrets { get; }

    public ConsoleStepLog Log { get; }

    /// <summary>Written to each host's revisions.log as the run that made the change.</summary>
    public string RunId { get; }

    public IFleetDeployer Deployer => _services.GetRequiredService<FleetDeployerFactory>().Create(Environment);

    public static FleetSession Open(DeploySettings settings, IAnsiConsole console)
    {
        var environment = WorkspaceLookup.LoadEnvironment(settings.Environment!);
        var root = WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).Root;
        return new FleetSession(console, environment, Path.Combine(root, ".gantry"));
    }

    /// <summary>The group and hosts of <c>--target</c>; a target that cannot be used as asked is bad usage (exit 2).</summary>
    public async Task<(string Group, IReadOnlyList<string> Hosts)> ResolveAsync(DeploySettings settings, CancellationToken cancellationToken)
    {
        try
        {
            var (group, hosts) = await _services.GetRequiredService<TargetResolver>()
                .ResolveAsync(Environment, settings.Target!, [], settings.AllowLive, DataDirectory, cancellationToken).ConfigureAwait(false);
            return (group!, hosts);
        }
        catch (DeployException ex)
        {
            throw new UsageException(ex.Message.Replace("set allow_live: true", "pass --allow-live", StringComparison.Ordinal));
        }
    }

    public FleetRequest Request(IReadOnlyList<string> hosts, string? release, int maxParallel) =>
        new(
            Environment,
            hosts,
            release,
            maxParallel > 0 ? maxParallel : hosts.Count,
            Environment.Deploy.KeepReleases,
            RunId,
            DataDirectory,
            Log,
            Secrets);

    /// <summary>One line per host, then the outcome; 0 when every host succeeded, else 1.</summary>
    public int Report(FleetResult result, string done, string failed)
    {
        foreach (var host in result.Hosts)
        {
            var line = host.Succeeded
                ? $"[green]✓[/] {Markup.Escape(host.Host)} on "
                    + $"{Markup.Escape(host.Current ?? "?")}"
                    + $"{(host.Previous is { } previous && previous != host.Current ? $" (was {Markup.Escape(previous)})" : "")}"
                : $"[red]✗[/] {Markup.Escape(host.Host)} on {Markup.Escape(host.Current ?? "?")}: "
                    + $"{Markup.Escape(Secrets.Masker.Apply(host.Error ?? "failed"))}";
            Console.MarkupLine(line);
        }

        var ok = result.Hosts.Count(h => h.Succeeded);
        if (result.Succeeded)
        {
            Console.MarkupLine($"[green bold]{Markup.Escape(done)}: {ok} of {result.Hosts.Count} hosts[/]");
            return ExitCodes.Ok;
        }

        var names = string.Join(", ", result.Hosts.Where(h => !h.Succeeded).Select(h => h.Host));
        Console.MarkupLine($"[red bold]{Markup.Escape(failed)} on {Markup.Escape(names)}[/] ({ok} of {result.Hosts.Count} hosts succeeded)");
        return ExitCodes.Invalid;
    }

    public void Dispose() => _services.Dispose();
}
