using System.Text.Json;
using Gantry.Cli.Documents;
using Gantry.Cli.Output;
using Gantry.Engine.Loading;
using Gantry.Providers.LoadBalancers;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands.Lb;

/// <summary>
/// Shared by the <c>gantry lb</c> verbs: builds the environment's controller (the same one the lb.*
/// activities use, so the same safety rules apply), prints progress as the controller reports it,
/// then the state of every group. Refusals and load-balancer errors are printed and exit 1.
/// </summary>
public abstract class LbCommand<TSettings>(IAnsiConsole console, LoadBalancerFactory loadBalancers) : AsyncCommand<TSettings>
    where TSettings : LbSettings
{
    public sealed override async Task<int> ExecuteAsync(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        var environment = WorkspaceLookup.LoadEnvironment(settings.Environment!);
        var workspace = WorkspaceCatalog.Discover(Path.GetDirectoryName(Path.GetFullPath(environment.SourcePath)) ?? Directory.GetCurrentDirectory());
        LoadBalancerStatus status;
        try
        {
            // The same quarantine the lb.* steps of every node honour: a host quarantined by any run stays out.
            await using var stores = await Running
                .WorkspaceStore.OpenAsync(settings.Db, workspace.Root, null, cancellationToken)
                .ConfigureAwait(false);
            var quarantine = await new Providers.Deploy.Quarantine(stores.Quarantine, environment.Id)
                .ForLoadBalancerAsync(environment, cancellationToken)
                .ConfigureAwait(false);
            var controller = loadBalancers.Create(environment, Path.Combine(workspace.Root, ".gantry"), quarantine);
            status = await ActAsync(controller, settings, new ConsoleProgress(console, settings.Output == "json"), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (e is LoadBalancerException or ArgumentException)
        {
            console.MarkupLine($"[red]error:[/] {Markup.Escape(e.Message)}");
            return ExitCodes.Invalid;
        }

        if (settings.Output == "json")
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(Json(status), JsonOutput.Options));
        }
        else
        {
            console.Write(Table(status));
        }

        return ExitCodes.Ok;
    }

    /// <summary>What the verb does; returns the state read back from the load balancer afterwards.</summary>
    protected abstract Task<LoadBalancerStatus> ActAsync(
        LoadBalancerController controller,
        TSettings settings,
        IProgress<string> progress,
        CancellationToken cancellationToken);

    private static Table Table(LoadBalancerStatus status)
    {
        var table = new Table().AddColumns("group", "state", "server", "admin state", "health", "current sessions", "weight");
        foreach (var group in status.Groups)
        {
            var state = group.State.ToString().ToLowerInvariant();
            var color = group.State switch { GroupState.Live => "green", GroupState.Out => "yellow", _ => "red" };
            foreach (var (server, index) in group.Servers.Select((s, i) => (s, i)))
            {
                table.AddRow(
                    index == 0 ? Markup.Escape(group.Name) : "",
                    index == 0 ? $"[{color}]{state}[/]" : "",
                    Markup.Escape(server.Name),
                    server.Admin.ToString().ToLowerInvariant(),
                    server.Health.ToString().ToLowerInvariant(),
                    server.CurrentSessions.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    server.Weight?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            }
        }

        return table;
    }

    private static object Json(LoadBalancerStatus status) => new
    {
        live = status.GroupsIn(GroupState.Live),
        @out = status.GroupsIn(GroupState.Out),
        inconsistent = status.GroupsIn(GroupState.Inconsistent),
        groups = status.Groups.Select(g => new
        {
            name = g.Name,
            state = g.State.ToString().ToLowerInvariant(),
            servers = g.Servers.Select(s => new
            {
                name = s.Name,
                admin = s.Admin.ToString().ToLowerInvariant(),
                health = s.Health.ToString().ToLowerInvariant(),
                current_sessions = s.CurrentSessions,
                weight = s.Weight,
            }),
        }),
    };

    /// <summary>Prints each progress line the moment the controller reports it (to stderr with --output json, so stdout stays one JSON
    /// document).</summary>
    private sealed class ConsoleProgress(IAnsiConsole console, bool json) : IProgress<string>
    {
        public void Report(string value)
        {
            if (json)
            {
                Console.Error.WriteLine(value);
            }
            else
            {
                console.MarkupLine($"[grey]{Markup.Escape(value)}[/]");
            }
        }
    }
}
