using Gantry.Engine.Runtime;

namespace Gantry.Server;

/// <summary>How one Gantry server runs: where it listens, which workspace and store it uses, who may read.</summary>
public sealed class GantryServerOptions
{
    /// <summary>Addresses to listen on. The default value is http://127.0.0.1:5080 (loopback only).</summary>
    public string Urls { get; set; } = "http://127.0.0.1:5080";

    /// <summary>The workspace (the folder holding workflows/). The default value is the current folder or the nearest parent with
    /// workflows/.</summary>
    public string? WorkspaceRoot { get; set; }

    /// <summary>Gantry's data folder (store, tokens, sandbox state). The default value is the workspace's .gantry folder.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The run store: a SQLite path or a PostgreSQL connection string (see RunStoreFactory). The default value is
    /// .gantry/gantry.db.</summary>
    public string? Db { get; set; }

    /// <summary>When true, GET routes answer without a token. The default value is false.</summary>
    public bool AllowAnonymousRead { get; set; }

    /// <summary>The environment variable that holds the webhook secret.</summary>
    public const string WebhookSecretVariable = "GANTRY_GITHUB_WEBHOOK_SECRET";

    /// <summary>
    /// The secret GitHub signs webhooks with; without one, every delivery is refused (401). It is the
    /// server's, not an environment's: one webhook URL serves every environment. The default value is
    /// the GANTRY_GITHUB_WEBHOOK_SECRET environment variable; <c>--github-webhook-secret-file</c> overrides it.
    /// </summary>
    public string? GitHubWebhookSecret { get; set; } = Environment.GetEnvironmentVariable(WebhookSecretVariable);

    /// <summary>
    /// How old a webhook event may be (by the payload's own timestamp where GitHub sends one), and how
    /// long a delivery's body is remembered to refuse its replay. The default value is 1 day.
    /// </summary>
    public TimeSpan WebhookMaxAge { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Import workflows/*.yaml into the definition store at start-up. The default value is true.</summary>
    public bool ImportWorkflows { get; set; } = true;

    /// <summary>
    /// The plugins folder: one subfolder per provider plugin, each loaded in its own load context.
    /// The default value is the GANTRY_PLUGINS environment variable, else the workspace's plugins folder.
    /// </summary>
    public string? PluginsFolder { get; set; }

    /// <summary>Largest accepted request body. The default value is 1 MB.</summary>
    public long MaxRequestBodySize { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long finished runs and their journals are kept; null keeps them for ever. The default value
    /// is 30 days (<see cref="FromArgs"/> and <c>gantry serve</c> also read GANTRY_RETENTION).
    /// </summary>
    public TimeSpan? Retention { get; set; } = RetentionPruner.DefaultKeep;

    /// <summary>
    /// How long the server's claim on a run it executes lasts without renewal (renewed every third of it).
    /// A run whose process died (a killed <c>gantry run</c>, another node) is taken over by this server once
    /// its lease expired, within one <see cref="PollInterval"/>. The default value is 30 seconds, or GANTRY_LEASE.
    /// </summary>
    public TimeSpan Lease { get; set; } =
        Engine.Schema.Duration.TryParse(Environment.GetEnvironmentVariable("GANTRY_LEASE"), out var lease) && lease > TimeSpan.Zero
            ? lease
            : TimeSpan.FromSeconds(30);

    /// <summary>How often the server looks for runs nobody executes (orphaned, queued, woken) and for due timers. The default value is 1
    /// second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// On a stop (SIGTERM, Ctrl+C): how long runs executing here may take to finish or reach a wait before
    /// they are handed back at their last journaled step (lease released, resumed by another node or the
    /// next start). Keep systemd's TimeoutStopSec above it. The default value is 30 seconds.
    /// </summary>
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Runs after the server's own registrations; tests replace services through it.</summary>
    internal Action<IServiceCollection>? ConfigureServices { get; set; }

    /// <summary>Reads a webhook secret file (surrounding whitespace and the final newline ignored); throws naming the file when it is missing or
    /// empty.</summary>
    public static string ReadSecretFile(string path)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"the webhook secret file {path} does not exist");
        }

        var secret = File.ReadAllText(path).Trim();
        return secret.Length > 0 ? secret : throw new ArgumentException($"the webhook secret file {path} is empty");
    }

    /// <summary>A positive duration such as 12h or 2d; throws naming the option otherwise.</summary>
    public static TimeSpan ParseDuration(string option, string text) =>
        Engine.Schema.Duration.TryParse(text, out var value) && value > TimeSpan.Zero
            ? value
            : throw new ArgumentException($"{option} '{text}' is not a positive duration; write e.g. 12h, 1d or 90d");

    /// <summary>Options from command-line style arguments: --urls, --db, --workspace, --data, --plugins, --retention, --allow-anonymous-read,
    /// --github-webhook-secret-file, --webhook-max-age, --stop-grace.</summary>
    public static GantryServerOptions FromArgs(IReadOnlyList<string> args)
    {
        var options = new GantryServerOptions { Retention = RetentionPruner.Resolve(null) };
        for (var i = 0; i < args.Count; i++)
        {
            string Next() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--urls":
                    options.Urls = Next();
                    break;
                case "--db":
                    options.Db = Next();
                    break;
                case "--workspace":
                    options.WorkspaceRoot = Next();
                    break;
                case "--data":
                    options.DataDirectory = Next();
                    break;
                case "--plugins":
                    options.PluginsFolder = Next();
                    break;
                case "--allow-anonymous-read":
                    options.AllowAnonymousRead = true;
                    break;
                case "--retention":
                    options.Retention = RetentionPruner.Resolve(Next());
                    break;
                case "--github-webhook-secret-file":
                    options.GitHubWebhookSecret = ReadSecretFile(Next());
                    break;
                case "--webhook-max-age":
                    options.WebhookMaxAge = ParseDuration("--webhook-max-age", Next());
                    break;
                case "--stop-grace":
                    options.StopGrace = ParseDuration("--stop-grace", Next());
                    break;
                default:
                    throw new ArgumentException(
                        $"unknown option '{args[i]}'; expected --urls, --db, --workspace, --data, --plugins, --retention, --allow-anonymous-read, "
                        + "--github-webhook-secret-file, --webhook-max-age or --stop-grace");
            }
        }

        return options;
    }
}
