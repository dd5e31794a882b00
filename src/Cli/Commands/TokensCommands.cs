using System.ComponentModel;
using Gantry.Engine.Loading;
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

    internal TokenStore Store() =>
        new(Path.Combine(Data ?? Path.Combine(WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).Root, ".gantry"), TokenStore.FileName));
}

/// <summary><c>gantry tokens create --role viewer|operator|approver|admin --name NAME</c>: prints a new token once; only its hash is stored.</summary>
public sealed class TokensCreateCommand(IAnsiConsole console, TimeProvider time) : Command<TokensCreateCommand.Settings>
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

            return string.IsNullOrWhiteSpace(Name) ? ValidationResult.Error("--name is required: who or what uses the token, e.g. --name ci-bot") : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = settings.Store();
        string token;
        try
        {
            token = store.Create(settings.Name, Enum.Parse<TokenRole>(settings.Role, ignoreCase: true), time, settings.Lifetime);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }

        console.Profile.Out.Writer.WriteLine(token);
        var expiry = settings.Lifetime is { } lifetime ? $", expires {(time.GetUtcNow() + lifetime):u}" : "";
        console.MarkupLine($"[grey]token for {Markup.Escape(settings.Name)} ({settings.Role.ToLowerInvariant()}{expiry}); shown once, only its SHA-256 is kept in {Markup.Escape(store.Path)}[/]");
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry tokens list</c>: names and roles of the stored tokens (never their values).</summary>
public sealed class TokensListCommand(IAnsiConsole console) : Command<TokensSettings>
{
    public override int Execute(CommandContext context, TokensSettings settings, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("name", "role", "created", "expires");
        foreach (var entry in settings.Store().List())
        {
            table.AddRow(Markup.Escape(entry.Name), entry.Role.ToString().ToLowerInvariant(), entry.CreatedAt.ToString("u"), entry.ExpiresAt?.ToString("u") ?? "never");
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry tokens revoke NAME</c>: removes a token; a running server refuses it from its next request.</summary>
public sealed class TokensRevokeCommand(IAnsiConsole console) : Command<TokensRevokeCommand.Settings>
{
    public sealed class Settings : TokensSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The token's name, as gantry tokens list shows it.")]
        public string Name { get; init; } = "";
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = settings.Store();
        if (!store.Revoke(settings.Name))
        {
            var names = store.List().Select(t => t.Name).ToList();
            throw new UsageException($"no token named '{settings.Name}'{Engine.Diagnostics.Suggest.Hint(settings.Name, names)}; tokens: {(names.Count == 0 ? "none" : string.Join(", ", names))}");
        }

        console.MarkupLine($"revoked token {Markup.Escape(settings.Name)}; requests with it are refused from now on");
        return ExitCodes.Ok;
    }
}
