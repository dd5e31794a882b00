using System.ComponentModel;
using Gantry.Engine.Loading;
using Gantry.Server;
using Gantry.Server.Security;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli.Commands;

/// <summary><c>gantry serve</c>: the HTTP API and webhooks in this process, running workflows in the background.</summary>
public sealed class ServeCommand(IAnsiConsole console) : AsyncCommand<ServeCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--urls <URLS>")]
        [Description("Where to listen; default http://127.0.0.1:5080 (loopback only). Several separated by ';'.")]
        public string? Urls { get; init; }

        [CommandOption("--db <DB>")]
        [Description("Run store: a SQLite file (default .gantry/gantry.db) or a PostgreSQL connection string. Also GANTRY_DB.")]
        public string? Db { get; init; }

        [CommandOption("--retention <DURATION>")]
        [Description("How long finished runs are kept, pruned hourly: e.g. 30d (the default, or GANTRY_RETENTION); 0 or off keeps them for ever.")]
        public string? Retention { get; init; }

        [CommandOption("--allow-anonymous-read")]
        [Description("Let GET routes answer without a token (mutations always need one).")]
        public bool AllowAnonymousRead { get; init; }

        [CommandOption("--github-webhook-secret-file <FILE>")]
        [Description("File holding the secret GitHub signs webhooks with (POST /api/hooks/github); overrides GANTRY_GITHUB_WEBHOOK_SECRET. Without either, webhooks are refused.")]
        public string? GitHubWebhookSecretFile { get; init; }

        public override ValidationResult Validate()
        {
            if (GitHubWebhookSecretFile is { } file && (!File.Exists(file) || File.ReadAllText(file).Trim().Length == 0))
            {
                return ValidationResult.Error($"--github-webhook-secret-file {file}: the file does not exist or is empty");
            }

            return RetentionOption.Validate(Retention);
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new GantryServerOptions { Db = settings.Db, AllowAnonymousRead = settings.AllowAnonymousRead, Retention = RetentionOption.Resolve(settings.Retention) };
        if (settings.Urls is not null)
        {
            options.Urls = settings.Urls;
        }

        if (settings.GitHubWebhookSecretFile is { } secretFile)
        {
            options.GitHubWebhookSecret = GantryServerOptions.ReadSecretFile(secretFile);
        }

        // First start: make one admin token so a new user can sign in to the designer and call the
        // API without another set-up step. Its value goes to a file only its owner can read, never
        // to the console: service logs keep what a server prints.
        var dataDirectory = Path.Combine(WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).Root, ".gantry");
        var tokens = new TokenStore(Path.Combine(dataDirectory, TokenStore.FileName));
        if (FirstAdminToken.CreateIfNoTokens(tokens, dataDirectory, TimeProvider.System) is { } file)
        {
            console.MarkupLine($"no tokens yet: created admin token '{FirstAdminToken.Name}'; its value is in [bold]{Markup.Escape(file)}[/] (mode 0600). Store it, then delete the file; `gantry tokens create` makes more");
        }

        console.MarkupLine($"gantry server on [bold]{Markup.Escape(options.Urls)}[/] (API under /api, OpenAPI at /openapi/v1.json); Ctrl+C stops it");
        console.MarkupLine(string.IsNullOrEmpty(options.GitHubWebhookSecret)
            ? $"GitHub webhooks are refused: no secret (set {GantryServerOptions.WebhookSecretVariable} or --github-webhook-secret-file)"
            : $"GitHub webhooks at /api/hooks/github are verified with the secret from {(settings.GitHubWebhookSecretFile is { } f ? Markup.Escape(f) : GantryServerOptions.WebhookSecretVariable)}");
        await GantryServer.RunAsync(options, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
