using System.ComponentModel;
using System.Text.Json;
using Gantry.Cli.Output;
using Gantry.Cli.Running;
using Gantry.Engine.Documents;
using Gantry.Engine.Runtime;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry definitions list</c>: every definition with its latest and published version.</summary>
public sealed class DefinitionsListCommand(IAnsiConsole console) : AsyncCommand<RunSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, RunSettings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken).ConfigureAwait(false);
        var definitions = await host.Definitions.ListAsync(cancellationToken).ConfigureAwait(false);
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(definitions, JsonOutput.Options));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("definition", "latest", "published", "updated");
        foreach (var definition in definitions)
        {
            table.AddRow(Markup.Escape(definition.Id), definition.LatestVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
                definition.PublishedVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", definition.UpdatedAt.ToString("u"));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry definitions versions ID</c>: a definition's versions, oldest first.</summary>
public sealed class DefinitionsVersionsCommand(IAnsiConsole console) : AsyncCommand<DefinitionsVersionsCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<ID>")]
        public string Id { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken).ConfigureAwait(false);
        var versions = await host.Definitions.VersionsAsync(settings.Id, cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0)
        {
            throw new UsageException($"no definition with id '{settings.Id}'");
        }

        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(
                JsonSerializer.Serialize(
                    versions.Select(v => new
                    {
                        v.Id,
                        v.Version,
                        state = v.State.ToString().ToLowerInvariant(),
                        v.ContentHash,
                        v.Author,
                        v.Comment,
                        v.CreatedAt,
                        v.PublishedAt,
                    }),
                    JsonOutput.Options));
            return ExitCodes.Ok;
        }

        var table = new Table().AddColumns("version", "state", "created", "author", "comment");
        foreach (var version in versions)
        {
            table.AddRow(version.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), version.State.ToString().ToLowerInvariant(),
                version.CreatedAt.ToString("u"), Markup.Escape(version.Author ?? ""), Markup.Escape(version.Comment ?? ""));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry definitions diff ID V1 V2</c>: steps added, removed and changed between two versions.</summary>
public sealed class DefinitionsDiffCommand(IAnsiConsole console) : AsyncCommand<DefinitionsDiffCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<ID>")]
        public string Id { get; init; } = "";

        [CommandArgument(1, "<V1>")]
        public int From { get; init; }

        [CommandArgument(2, "<V2>")]
        public int To { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken).ConfigureAwait(false);
        var from = await GetAsync(host, settings.Id, settings.From, cancellationToken).ConfigureAwait(false);
        var to = await GetAsync(host, settings.Id, settings.To, cancellationToken).ConfigureAwait(false);
        DefinitionDiff diff;
        try
        {
            diff = DefinitionDiff.Compare(from.Text, to.Text);
        }
        catch (DocumentSyntaxException ex)
        {
            throw new UsageException($"{settings.Id} cannot be compared: {ex.Message}");
        }

        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(JsonSerializer.Serialize(diff, JsonOutput.Options));
            return ExitCodes.Ok;
        }

        if (diff.IsEmpty)
        {
            console.MarkupLine($"{Markup.Escape(settings.Id)} v{settings.From} and v{settings.To} do the same");
        }

        foreach (var line in diff.Describe())
        {
            console.Profile.Out.Writer.WriteLine(line);
        }

        return ExitCodes.Ok;
    }

    private static async Task<DefinitionVersion> GetAsync(RunHost host, string id, int version, CancellationToken cancellationToken) =>
        await host.Definitions.GetAsync(id, version, fallBackToDraft: true, cancellationToken).ConfigureAwait(false)
        ?? throw new UsageException($"definition '{id}' has no version {version}");
}

/// <summary><c>gantry definitions publish ID V</c>: freezes a version; runs started from the store use the latest published one.</summary>
public sealed class DefinitionsPublishCommand(IAnsiConsole console) : AsyncCommand<DefinitionsPublishCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<ID>")]
        public string Id { get; init; } = "";

        [CommandArgument(1, "<VERSION>")]
        public int Version { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken).ConfigureAwait(false);
        try
        {
            var version = await host.Definitions.PublishAsync(settings.Id, settings.Version, cancellationToken).ConfigureAwait(false);
            console.MarkupLine($"{Markup.Escape(version.Id)} v{version.Version} is published");
            return ExitCodes.Ok;
        }
        catch (KeyNotFoundException)
        {
            throw new UsageException($"definition '{settings.Id}' has no version {settings.Version}");
        }
    }
}

/// <summary><c>gantry definitions delete ID</c>: deletes a definition with all its versions, unless other definitions still call it.</summary>
public sealed class DefinitionsDeleteCommand(IAnsiConsole console) : AsyncCommand<DefinitionsDeleteCommand.Settings>
{
    public sealed class Settings : RunSettings
    {
        [CommandArgument(0, "<ID>")]
        public string Id { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        await using var host = await RunHost.OpenAsync(settings, console, TimeProvider.System, live: false, cancellationToken).ConfigureAwait(false);
        var callers = await DefinitionCallers.FindAsync(host.Definitions, settings.Id, cancellationToken).ConfigureAwait(false);
        if (callers.Count > 0)
        {
            console.Profile.Out.Writer.WriteLine(DefinitionCallers.Describe(settings.Id, callers));
            return ExitCodes.Invalid;
        }

        if (!await host.Definitions.DeleteAsync(settings.Id, cancellationToken).ConfigureAwait(false))
        {
            throw new UsageException($"no definition with id '{settings.Id}'");
        }

        // Plain lines, not markup: a sentence to copy, never wrapped at the console width.
        console.Profile.Out.Writer.WriteLine(host.Catalog.LoadWorkflows().ContainsKey(settings.Id)
            ? $"{settings.Id} is deleted; workflows/ still has its file, which is imported again on the next start"
            : $"{settings.Id} is deleted");
        return ExitCodes.Ok;
    }
}
