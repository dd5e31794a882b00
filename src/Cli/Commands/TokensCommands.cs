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

        public override ValidationResult Validate()
        {
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
            token = store.Create(settings.Name, Enum.Parse<TokenRole>(settings.Role, ignoreCase: true), time);
        }
        catch (ArgumentException ex)
        {
            throw new UsageException(ex.Message.Split(" (Parameter")[0]);
        }

        console.Profile.Out.Writer.WriteLine(token);
        console.MarkupLine($"[grey]token for {Markup.Escape(settings.Name)} ({settings.Role.ToLowerInvariant()}); shown once, only its SHA-256 is kept in {Markup.Escape(store.Path)}[/]");
        return ExitCodes.Ok;
    }
}

/// <summary><c>gantry tokens list</c>: names and roles of the stored tokens (never their values).</summary>
public sealed class TokensListCommand(IAnsiConsole console) : Command<TokensSettings>
{
    public override int Execute(CommandContext context, TokensSettings settings, CancellationToken cancellationToken)
    {
        var table = new Table().AddColumns("name", "role", "created");
        foreach (var entry in settings.Store().List())
        {
            table.AddRow(Markup.Escape(entry.Name), entry.Role.ToString().ToLowerInvariant(), entry.CreatedAt.ToString("u"));
        }

        console.Write(table);
        return ExitCodes.Ok;
    }
}
