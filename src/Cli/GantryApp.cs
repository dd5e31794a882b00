using Gantry.Cli.Commands;
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
        var app = new CommandApp(new TypeRegistrar(services ?? CliServices.Create()));
        app.Configure(Configure);
        return app;
    }

    /// <summary>Every verb and the error policy; shared by <see cref="Program"/> and the tests' <c>CommandAppTester</c>.</summary>
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("gantry");
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
        config.AddBranch("runs", runs =>
        {
            runs.SetDescription("List, show, signal and cancel runs in the store.");
            runs.AddCommand<RunsListCommand>("list").WithDescription("Recent runs.");
            runs.AddCommand<RunsShowCommand>("show").WithDescription("A run's status and journal.");
            runs.AddCommand<RunsSignalCommand>("signal").WithDescription("Deliver a signal to a waiting run and continue it here.");
            runs.AddCommand<RunsCancelCommand>("cancel").WithDescription("Cancel a run; on_failure and finally still run.");
        });
        config.AddCommand<ServeCommand>("serve")
            .WithDescription("Serve the HTTP API and webhooks here, running workflows in the background.")
            .WithExample("serve", "--urls", "http://127.0.0.1:5080");
        config.AddBranch("tokens", tokens =>
        {
            tokens.SetDescription("Bearer tokens for the server: viewer, operator, admin.");
            tokens.AddCommand<TokensCreateCommand>("create").WithDescription("Create a token; it is printed once and only its hash is stored.")
                .WithExample("tokens", "create", "--role", "operator", "--name", "ci-bot");
            tokens.AddCommand<TokensListCommand>("list").WithDescription("Names and roles of the stored tokens.");
        });
        config.SetExceptionHandler((exception, _) => ExitCodes.Report(exception, config.Settings.Console ?? AnsiConsole.Console));
    }
}
