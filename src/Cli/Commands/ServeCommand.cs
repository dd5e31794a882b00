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
        [Description(
            "File holding the secret GitHub signs webhooks with (POST /api/hooks/github); overrides GANTRY_GITHUB_WEBHOOK_SECRET. Without either, "
            + "webhooks are refused.")]
        public string? GitHubWebhookSecretFile { get; init; }

        [CommandOption("--stop-grace <DURATION>")]
        [Description(
            "On SIGTERM or Ctrl+C: how long runs executing here may take to finish or reach a wait before they are handed back at their last "
            + "journaled step (default 30s).")]
        public string? StopGrace { get; init; }

        public override ValidationResult Validate()
        {
            if (StopGrace is not null && (!Engine.Schema.Duration.TryParse(StopGrace, out var grace) || grace < TimeSpan.Zero))
            {
                return ValidationResult.Error($"--stop-grace '{StopGrace}' is not a duration such as 30s");
            }

            if (GitHubWebhookSecretFile is { } file && (!File.Exists(file) || File.ReadAllText(file).Trim().Length == 0))
            {
                return ValidationResult.Error($"--github-webhook-secret-file {file}: the file does not exist or is empty");
            }

            return RetentionOption.Validate(Retention);
        }
    }

    /// <summary>The systemd credential (LoadCredential=) that holds the webhook secret when no option names a file.</summary>
    public const string WebhookCredential = "github-webhook-secret";

    /// <summary>$CREDENTIALS_DIRECTORY/NAME when systemd passed that credential to this service, else null.</summary>
    private static string? CredentialFile(string name) =>
        System.Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY") is { Length: > 0 } folder && File.Exists(Path.Combine(folder, name))
            ? Path.Combine(folder, name)
            : null;

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var options = new GantryServerOptions
        {
            Db = settings.Db,
            AllowAnonymousRead = settings.AllowAnonymousRead,
            Retention = RetentionOption.Resolve(settings.Retention),
        };
        if (Engine.Schema.Duration.TryParse(settings.StopGrace, out var grace))
        {
            options.StopGrace = grace;
        }

        if (settings.Urls is not null)
        {
            options.Urls = settings.Urls;
        }

        var secretFile = settings.GitHubWebhookSecretFile ?? CredentialFile(WebhookCredential);
        if (secretFile is not null)
        {
            options.GitHubWebhookSecret = GantryServerOptions.ReadSecretFile(secretFile);
        }

        // First start: make one admin token so a new user can sign in to the designer and call the
        // API without another set-up step. Its value goes to a file only its owner can read, never
        // to the console: service logs keep what a server prints.
        // Tokens live in the store every server node shares: a second node on the same database makes none.
        var root = WorkspaceCatalog.Discover(Directory.GetCurrentDirectory()).Root;
        var dataDirectory = Path.Combine(root, ".gantry");
        string? file;
        await using (var stores = await Running.WorkspaceStore
                .OpenAsync(
                    settings.Db ?? System.Environment.GetEnvironmentVariable("GANTRY_DB") ?? Path.Combine(dataDirectory, "gantry.db"),
                    root,
                    dataDirectory,
                    cancellationToken)
                .ConfigureAwait(false))
        {
            file = await FirstAdminToken
                .CreateIfNoTokensAsync(new TokenStore(stores.Tokens), dataDirectory, TimeProvider.System, cancellationToken)
                .ConfigureAwait(false);
        }

        if (file is not null)
        {
            console.MarkupLine(
                $"no tokens yet: created admin token '{FirstAdminToken.Name}'; its value is in [bold]{Markup.Escape(file)}[/] (mode 0600). Store "
                + "it, then delete the file; `gantry tokens create` makes more");
        }

        console.MarkupLine(
            $"gantry server on [bold]{Markup.Escape(options.Urls)}[/] (API under /api, OpenAPI at /openapi/v1.json); SIGTERM or Ctrl+C stops it "
            + $"(runs get {Engine.Schema.Duration.Format(options.StopGrace)} to finish or reach a wait)");
        console.MarkupLine(
            string.IsNullOrEmpty(options.GitHubWebhookSecret)
                ? $"GitHub webhooks are refused: no secret (set {GantryServerOptions.WebhookSecretVariable} or --github-webhook-secret-file)"
                : $"GitHub webhooks at /api/hooks/github are verified with the secret from "
                    + $"{(secretFile is { } f ? Markup.Escape(f) : GantryServerOptions.WebhookSecretVariable)}");
        await GantryServer.RunAsync(options, cancellationToken).ConfigureAwait(false);
        return ExitCodes.Ok;
    }
}
