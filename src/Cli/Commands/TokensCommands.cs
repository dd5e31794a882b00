using System.ComponentModel;
using Gantry.Engine.Loading;
using Gantry.Engine.Stores;
using Gantry.Server.Security;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary>Where <c>gantry tokens</c> keeps tokens: the workspace's data folder, as <c>gantry serve</c> reads them.</summary>
public class TokensSettings : CommandSettings
{
    [CommandOption("--data <DIR>")]
    [Description("Gantry's data folder; default: the workspace's .gantry folder.")]
    public string? Data { get; init; }

    [CommandOption("--db <DB>")]
    [Description(
        "The store the servers use: a SQLite file (default gantry.db in the data folder) or a PostgreSQL connection string. Also GANTRY_DB.")]
    public string? Db { get; init; }

    /// <summary>Opens the store the servers read tokens from, with the tokens of an older <c>tokens.json</c> imported.</summary>
    internal async Task<(StoreSet Stores, TokenStore Tokens)> OpenAsync(CancellationToken cancellationToken)
    {
        var root = WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).Root;
        var data = Path.GetFullPath(Data ?? Path.Combine(root, ".gantry"));
        var db = Db ?? Environment.GetEnvironmentVariable("GANTRY_DB") ?? Path.Combine(data, "gantry.db");
        var stores = await Running.WorkspaceStore.OpenAsync(db, root, data, cancellationToken).ConfigureAwait(false);
        return (stores, new TokenStore(stores.Tokens));
    }
}

/// <summary><c>gantry tokens create --role viewer|operator|approver|admin --name NAME</c>: prints a new token once; only its hash is
/// stored.</summary>
public sealed class TokensCreateCommand(IAnsiConsole console, TimeProvider time) : AsyncCommand<TokensCreateCommand.Settings>
{
    public sealed class Settings : TokensSettings
    {
        [CommandOption("--role <ROLE>")]
        [Description("viewer (read), operator (also start, cancel and signal runs) or admin (also save and publish definitions).")]
        public string Role { get; init; } = "";

        [CommandOption("--name <NAME>")]
        [Description("Who or what uses the token; journals name it as who signalled, approved or cancelled.")]
        public string Name { get; init; } = "";

        [CommandOption("--expires <DURATION>")]
        [Description("The token stops working this long after it is made, e.g. 90d or 12h; default: never.")]
        public string? Expires { get; init; }

        internal TimeSpan? Lifetime => Expires is null ? null : Engine.Schema.Duration.TryParse(Expires, out var value) ? value : null;

        public override ValidationResult Validate()
        {
            if (Expires is not null && (Lifetime is null || Lifetime <= TimeSpan.Zero))
            {
                return ValidationResult.Error($"--expires '{Expires}' is not a positive duration; write e.g. 90d, 12h or 30m");
            }

            if (!Enum.TryParse<TokenRole>(Role, ignoreCase: true, out _) || int.TryParse(Role, out _))
            {
                return ValidationResult.Error($"--role '{Role}' is not a role; valid values are viewer, operator, approver, admin");
            }

            return string.IsNullOrWhiteSpace(Name)
                ? ValidationResult.Error("--name is required: who or what uses the token, e.g. --name ci-bot")
                : ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (stores, store) = await settings.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var opened = stores;
        string token;
        try
        {
            token = await store
                .CreateAsync(settings.Name, Enum.Parse<TokenRole>(settings.Role, ignoreCase: true), time, settings.Lifetime, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }

        console.Profile.Out.Writer.WriteLine(token);
        var expiry = settings.Lifetime is { } lifetime ? $", expires {(time.GetUtcNow() + lifetime):u}" : "";
        console.MarkupLine(
            $"[grey]token for {Markup.Escape(settings.Name)} ({settings.Role.ToLowerInvariant()}{expiry}); shown once, only its SHA-256 is kept, in "
            + $"the store ({Markup.Escape(stores.Location)})[/]");
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry tokens list</c>: names and roles of the stored tokens (never their values).</summary>
public sealed class TokensListCommand(IAnsiConsole console) : AsyncCommand<TokensSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, TokensSettings settings, CancellationToken cancellationToken)
    {
        var (stores, store) = await settings.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var opened = stores;
        var table = new Table().AddColumns("name", "role", "created", "expires");
        foreach (var entry in await store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            table.AddRow(
                Markup.Escape(entry.Name),
                entry.Role.ToString().ToLowerInvariant(),
                entry.CreatedAt.ToString("u"),
                entry.ExpiresAt?.ToString("u") ?? "never");
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry tokens revoke NAME</c>: removes a token; every server on the same store refuses it from its next request.</summary>
public sealed class TokensRevokeCommand(IAnsiConsole console) : AsyncCommand<TokensRevokeCommand.Settings>
{
    public sealed class Settings : TokensSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The token's name, as gantry tokens list shows it.")]
        public string Name { get; init; } = "";
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var (stores, store) = await settings.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var opened = stores;
        if (!await store.RevokeAsync(settings.Name, cancellationToken).ConfigureAwait(false))
        {
            var names = (await store.ListAsync(cancellationToken).ConfigureAwait(false)).Select(t => t.Name).ToList();
            throw new UsageException(
                $"no token named '{settings.Name}'{Engine.Diagnostics.Suggest.Hint(settings.Name, names)}; tokens: "
                + $"{(names.Count == 0 ? "none" : string.Join(", ", names))}");
        }

        console.MarkupLine($"revoked token {Markup.Escape(settings.Name)}; requests with it are refused from now on, by every server on this store");
        return ExitCodes.Ok;
    }
}
