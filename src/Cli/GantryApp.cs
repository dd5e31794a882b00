using Gantry.Cli.Commands;
using Gantry.Cli.Commands.Deploy;
using Gantry.Cli.Commands.Env;
using Gantry.Cli.Commands.Fleet;
using Gantry.Cli.Commands.Lb;
using Gantry.Cli.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Gantry.Cli;

/// <summary>
/// Builds the <c>gantry</c> command app: one class per verb under <c>Commands/</c>. To add a verb,
/// write an <c>AsyncCommand&lt;TSettings&gt;</c> there and register it in <see cref="Configure"/>.
/// </summary>
public static class GantryApp
{
    public static CommandApp Create(IServiceCollection? services = null)
    {
        // The services (an assembly scan, the plugins folder) are made only when a command runs.
        var app = new CommandApp(services is null ? new TypeRegistrar(() => CliServices.Create()) : new TypeRegistrar(services));
        app.Configure(Configure);
        return app;
    }

    /// <summary>Every verb and the error policy; shared by <see cref="Program"/> and the tests' <c>CommandAppTester</c>.</summary>
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("gantry");
        config.SetApplicationVersion(BuildInfo.Describe());
        config.Settings.StrictParsing = true;
        config.AddCommand<ValidateCommand>("validate")
            .WithDescription("Check workflow and environment documents; print every error with its position.")
            .WithExample("validate", "workflows/")
            .WithExample("validate", "workflows/hotfix.yaml", "--env", "prod");
        config.AddCommand<PlanCommand>("plan")
            .WithDescription("Dry run: every step in execution order with inputs rendered and targets resolved; touches nothing.")
            .WithExample("plan", "hotfix", "--env", "sandbox", "--input", "version=3.0.1");
        config.AddCommand<SchemaCommand>("schema")
            .WithDescription("Print or rewrite the JSON Schemas in schemas/ from the model and the registered activities.")
            .WithExample("schema", "--write");
        config.AddCommand<RunCommand>("run")
            .WithDescription("Run a workflow here with live progress. Exit 0 succeeded, 1 failed, 2 bad usage or invalid documents, 3 waiting.")
            .WithExample("run", "hotfix", "--env", "sandbox", "--input", "version=3.0.1");
        config
            .AddCommand<ActivitiesCommand>("activities")
            .WithDescription(
                "List every activity (built-in, providers, plugins) with its inputs; report plugins that failed to load. Plugins come from "
                + "--plugins DIR, GANTRY_PLUGINS or plugins/ of the workspace.")
            .WithExample("activities", "--output", "json");
        config.AddBranch("runs", runs =>
        {
            runs.SetDescription("List, show, signal, resume, retry, answer and cancel runs in the store.");
            runs.AddCommand<RunsListCommand>("list").WithDescription("Recent runs.");
            runs.AddCommand<RunsShowCommand>("show").WithDescription("A run's status and journal.");
            runs.AddCommand<RunsSignalCommand>("signal")
                .WithDescription(
                    "Deliver a signal to a waiting run and continue it here, or follow it where it executes (--no-wait: leave it to a worker).");
            runs.AddCommand<RunsResumeCommand>("resume")
                .WithDescription("Go on with a run whose process went away: takes it over once that process's lease expired, showing its progress.");
            runs.AddCommand<RunsRetryCommand>("retry")
                .WithDescription(
                    "Go on with a failed or cancelled run in the same run id, from the failed step (or --from STEP); earlier successes are not run "
                    + "again.")
                .WithExample("runs", "retry", "20261207-101500-a1b2c3", "--from", "flip");
            runs.AddCommand<RunsAnswerCommand>("answer").WithDescription("Answer a step that failed under on_error: ask: retry, skip or abort.")
                .WithExample("runs", "answer", "20261207-101500-a1b2c3", "retry");
            runs.AddCommand<RunsCancelCommand>("cancel").WithDescription("Cancel a run; on_failure and finally still run.");
            runs.AddCommand<RunsPruneCommand>("prune").WithDescription("Delete finished runs older than a duration, with their journals.")
                .WithExample("runs", "prune", "--older-than", "30d");
        });
        config.AddCommand<SchedulesCommand>("schedules")
            .WithDescription("List the on.schedule of the workspace's workflows with their next ticks (gantry serve and gantry worker start them).")
            .WithExample("schedules", "--output", "json");
        config
            .AddCommand<WorkerCommand>("worker")
            .WithDescription(
                "Be a node: claim runs from the store and execute them under leases until SIGTERM or Ctrl+C, then give runs --stop-grace to finish "
                + "or reach a wait, hand the rest back and exit 0. Under systemd (Type=notify) it reports READY=1 and STOPPING=1.")
            .WithExample("worker", "--db", "postgres://gantry@db/gantry", "--node-id", "node-1")
            .WithExample("worker", "--db", "postgres://gantry@db/gantry", "--stop-grace", "60s");
        config.AddBranch("definitions", definitions =>
        {
            definitions.SetDescription("Versions of the workflows (workflows/*.yaml are imported as published versions when they change).");
            definitions.AddCommand<DefinitionsListCommand>("list").WithDescription("Every definition with its latest and published version.");
            definitions.AddCommand<DefinitionsVersionsCommand>("versions").WithDescription("A definition's versions.");
            definitions.AddCommand<DefinitionsDiffCommand>("diff").WithDescription("Steps added, removed and changed between two versions.")
                .WithExample("definitions", "diff", "hotfix", "1", "2");
            definitions.AddCommand<DefinitionsPublishCommand>("publish").WithDescription("Publish a version.");
            definitions
                .AddCommand<DefinitionsDeleteCommand>("delete")
                .WithDescription("Delete a definition with all its versions; refused while other definitions call it.");
        });
        config.AddBranch<DeploySettings>("deploy", deploy =>
        {
            deploy.SetDescription(
                "Deploy a release to a group's hosts, or roll them back, with per-host progress. Exit 0 every host done, 1 a host failed, 2 bad "
                + "usage.");
            deploy.SetDefaultCommand<DeployCommand>();
            deploy.AddCommand<DeployRollbackCommand>("rollback")
                .WithDescription("Put a group's hosts back on their previous release (or --to TAG).")
                .WithExample("deploy", "rollback", "--env", "prod", "--target", "group2");
            deploy
                .AddCommand<DeployAdoptCommand>("adopt")
                .WithDescription(
                    "Record the releases another tool (Capistrano, Fabric, a script) left on each host in Gantry's history: the current one and the "
                    + "older release trees, marked complete as Gantry marks its own, so status names them and rollback can go back to them. Changes "
                    + "no current link. Exit 0 done (or nothing to adopt), 1 a host could not be adopted, 2 bad usage.")
                .WithExample("deploy", "adopt", "--env", "prod")
                .WithExample("deploy", "adopt", "--env", "prod", "--target", "group1", "--output", "json");
        });
        config
            .AddCommand<StatusCommand>("status")
            .WithDescription(
                "Per group and host: the release current points to, the releases kept and when and by which run each was deployed, health, and the "
                + "load balancer's view. Exit 1 when a host or the load balancer cannot be read.")
            .WithExample("status", "--env", "prod")
            .WithExample("status", "--env", "prod", "--output", "json");
        config
            .AddCommand<RollbackCommand>("rollback")
            .WithDescription(
                "Roll every group back to the release it ran before (or --to TAG) with the rollout's load-balancer safety (the rollback workflow). "
                + "Exit codes as gantry run.")
            .WithExample("rollback", "--env", "prod")
            .WithExample("rollback", "--env", "prod", "--to", "v3.0.0", "--fetch");
        config.AddBranch("lb", lb =>
        {
            lb.SetDescription("Show and move load-balancer groups; the same min_live_groups safety as the lb.* steps.");
            lb.AddCommand<LbStatusCommand>("status").WithDescription("Every group and server as the load balancer reports them now.")
                .WithExample("lb", "status", "--env", "sandbox");
            lb.AddCommand<LbLiveCommand>("live").WithDescription("Make exactly these groups live; every other group is drained and taken out.")
                .WithExample("lb", "live", "--env", "sandbox", "group2");
            lb.AddCommand<LbFlipCommand>("flip").WithDescription("Bring the out group live, then take the live group out.");
            lb.AddCommand<LbAllCommand>("all").WithDescription("Make every group live.");
            lb.AddCommand<LbRestoreCommand>("restore").WithDescription("Bring every healthy group back live; takes nothing out.");
        });
        config.AddBranch("env", env =>
        {
            env.SetDescription("Environments: bring an existing fleet's inventory in.");
            env.AddCommand<EnvImportCommand>("import")
                .WithDescription(
                    "Write an environment from an Ansible inventory (INI or YAML), an HAProxy configuration or a host list; the result is validated "
                    + "before it is written. Exit 0 written, 1 the source or the result is invalid, 2 bad usage (missing file, output exists "
                    + "without --force).")
                .WithExample("env", "import", "inventory.ini", "--id", "prod", "-o", "workflows/environments/prod.yaml")
                .WithExample(
                    "env",
                    "import",
                    "/etc/haproxy/haproxy.cfg",
                    "--backend",
                    "app",
                    "--groups",
                    "2",
                    "-o",
                    "workflows/environments/prod.yaml")
                .WithExample("env", "import", "hosts.txt", "--from", "hosts", "--id", "staging");
        });
        config
            .AddCommand<Commands.Init.InitCommand>("init")
            .WithDescription(
                "Scaffold a workspace: the built-in workflows and schemas, the sandbox, an environment from --hosts (or answers on a terminal), a "
                + "README and .gitignore for .gantry/. --reference-workflows DIR links the team's shared workflows instead of copying the built-in "
                + "ones. Running it again changes nothing; a file that differs is kept unless --force. Exit 0 done, 1 the environment or a "
                + "referenced workflow would not be valid, 2 bad usage.")
            .WithExample("init")
            .WithExample("init", "deploy", "--reference-workflows", "deploy/platform", "--no-input")
            .WithExample(
                "init",
                "deploy",
                "--env",
                "prod",
                "--hosts",
                "deploy@web[01:04].example.com",
                "--groups",
                "2",
                "--lb",
                "haproxy",
                "--backend",
                "app",
                "--root",
                "/srv/app")
            .WithExample("init", "--hosts", "web1,web2,web3,web4", "--lb", "nginx", "--backend", "opensky", "--no-input");
        config
            .AddCommand<ServeCommand>("serve")
            .WithDescription(
                "Serve the HTTP API and webhooks here, running workflows in the background. Under systemd (Type=notify) it reports READY=1 once the "
                + "port answers; SIGTERM gives runs --stop-grace to finish or reach a wait, hands the rest back and exits 0. Units: deploy/systemd/.")
            .WithExample("serve", "--urls", "http://127.0.0.1:5080")
            .WithExample("serve", "--urls", "http://127.0.0.1:5080", "--stop-grace", "60s");
        config.AddBranch("tokens", tokens =>
        {
            tokens.SetDescription("Bearer tokens for the server: viewer, operator, admin.");
            tokens.AddCommand<TokensCreateCommand>("create").WithDescription("Create a token; it is printed once and only its hash is stored.")
                .WithExample("tokens", "create", "--role", "operator", "--name", "ci-bot", "--expires", "90d");
            tokens.AddCommand<TokensListCommand>("list").WithDescription("Names, roles and expiry of the stored tokens.");
            tokens.AddCommand<TokensRevokeCommand>("revoke").WithDescription("Revoke a token; a running server refuses it from its next request.")
                .WithExample("tokens", "revoke", "ci-bot");
        });
        config.SetExceptionHandler((exception, _) => ExitCodes.Report(exception, config.Settings.Console ?? AnsiConsole.Console));
    }
}
