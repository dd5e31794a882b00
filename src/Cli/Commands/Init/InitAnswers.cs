using Spectre.Console;

namespace Gantry.Cli.Commands.Init;

/// <summary>
/// The environment <c>gantry init</c> writes: from the options, and on a terminal (unless --no-input) from
/// answers to the questions the options left open. <see cref="Hosts"/> null means no environment but the sandbox.
/// </summary>
internal sealed record InitAnswers(
    string EnvironmentId,
    string? Hosts,
    int Groups,
    string LoadBalancer,
    string Backend,
    string LoadBalancerAddress,
    string? Root,
    string? Restart,
    string? Repository)
{
    public static InitAnswers From(InitCommand.Settings settings, IAnsiConsole console)
    {
        var ask = !settings.NoInput && settings.Hosts is null && console.Profile.Capabilities.Interactive;
        string? Ask(string question, string? given, string? suggested)
        {
            if (given is not null || !ask)
            {
                return given;
            }

            var prompt = new TextPrompt<string>(Markup.Escape(question)).AllowEmpty();
            if (suggested is not null)
            {
                prompt.DefaultValue(suggested);
            }

            var answer = console.Prompt(prompt).Trim();
            return answer.Length == 0 ? null : answer;
        }

        var hosts = Ask("Hosts ([user@]host[:port], spaces or commas; empty: only the sandbox)?", settings.Hosts, null);
        if (hosts is null)
        {
            return new InitAnswers(settings.Environment ?? "prod", null, 2, "none", "app", "", null, null, null);
        }

        var environment = Ask("Environment id?", settings.Environment, "prod")!;
        var groups = settings.Groups ?? (ask ? console.Prompt(new TextPrompt<int>("Rollout groups?").DefaultValue(2)) : 2);
        var balancer = settings.LoadBalancer
            ?? (ask ? console.Prompt(new SelectionPrompt<string>().Title("Load balancer?").AddChoices("haproxy", "nginx", "none")) : "haproxy");
        var backend = balancer == "none" ? "app" : Ask(balancer == "nginx" ? "nginx upstream name?" : "HAProxy backend?", settings.Backend, "app")!;
        var address = balancer == "haproxy" ? Ask("HAProxy admin socket?", settings.LoadBalancerAddress, "unix:///run/haproxy/admin.sock")! : "";
        var root = Ask("Deploy root on the hosts?", settings.Root, "/srv/app");
        var restart = Ask("Restart command?", settings.Restart, null);
        var repository = Ask("Repository URL?", settings.Repository, null);
        return new InitAnswers(
            environment,
            hosts,
            groups,
            balancer,
            backend ?? "app",
            address ?? "unix:///run/haproxy/admin.sock",
            root,
            restart,
            repository);
    }
}
