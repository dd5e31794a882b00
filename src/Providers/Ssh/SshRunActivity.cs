using System.ComponentModel;
using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Providers.Deploy;
using Model = Gantry.Engine.Model;

namespace Gantry.Providers.Ssh;

[Activity(
    "ssh.run",
    Description = "Runs a shell command over SSH on each host of a group (out, a group, all) or on listed hosts; fails naming every host whose "
        + "command failed. "
        + "allow_live defaults to true: a read-only command on a live group is normal. The command is rendered once per host with host in scope "
        + "({{ host.name }}, {{ host.address }}); values it reads are inserted as data, never rendered again. In sandbox environments nothing runs: "
        + "the command is logged per host and exits 0.",
    Example = "uses: ssh.run\nwith: { target: group1, command: \"cat /srv/app/current/VERSION\", max_parallel: 2 }")]
internal sealed class SshRunActivity(TargetResolver targets, SshRunConnections connections) : Activity<SshRunActivity.Inputs, SshRunActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var environment = context.Environment ?? throw new Deploy.DeployException("ssh.run needs an environment (--env)");
        var input = context.Input;
        if (string.IsNullOrWhiteSpace(input.Command))
        {
            throw new Deploy.DeployException("ssh.run: command is empty; give the shell command to run on each host");
        }

        var (group, hosts) = await targets
            .ResolveAsync(environment, input.Target, input.Hosts, input.AllowLive, context.DataDirectory, "run commands on", cancellationToken)
            .ConfigureAwait(false);
        var commands = hosts.ToDictionary(
            h => h,
            h => context.RenderPerHost("command", new HostBinding(h, environment.GroupOf(h), environment.Hosts[h])),
            StringComparer.Ordinal);
        var results =
            environment.Deploy.Source == Model.ReleaseSource.Sandbox
                ? Simulate(context, hosts, commands)
                : await new SshCommandFanOut(connections)
                    .RunAsync(context, environment, hosts, commands, input.MaxParallel, input.Timeout, cancellationToken)
                    .ConfigureAwait(false);

        var failed = results.Where(r => !r.Succeeded).ToList();
        if (failed.Count > 0)
        {
            throw new SshRunException(
                $"ssh.run failed on {failed.Count} of {results.Count} host(s) of {group ?? "hosts"}: "
                + string.Join("; ", failed.Select(f => f.Describe())));
        }

        return new Outputs
        {
            Group = group,
            Hosts = results.Select(r => new Dictionary<string, object?>
            {
                ["host"] = r.Host,
                ["exit_code"] = (long)r.ExitCode,
                ["stdout"] = r.Stdout,
                ["stderr"] = r.Stderr,
            }).ToList(),
        };
    }

    private static List<HostCommandResult> Simulate(
        ActivityContext context,
        IReadOnlyList<string> hosts,
        IReadOnlyDictionary<string, string> commands)
    {
        var results = new List<HostCommandResult>();
        foreach (var host in hosts)
        {
            context.Log.Info($"sandbox: would run {context.Secrets.Masker.Apply(commands[host])}", host);
            results.Add(new HostCommandResult(host, context.Secrets.Masker.Apply(commands[host]), 0, "", "", null));
        }

        context.Log.Progress(hosts.Count, hosts.Count, 0);
        return results;
    }

    public sealed class Inputs
    {
        [Description("out (the group the load balancer reports out of rotation now), all, or a group name.")]
        public string Target { get; set; } = "out";

        [Description("Explicit hosts instead of a group.")]
        public List<string> Hosts { get; set; } = [];

        [Description(
            "The shell command to run on each host (by the SSH user's login shell), rendered per host: {{ host.name }}, {{ host.address }}, {{ "
            + "host.vars.x }}.")]
        [PerHost]
        public required string Command { get; set; }

        [Description("Hosts run at once; 0 means all of them.")]
        public int MaxParallel { get; set; }

        [Description("How long the command may run on one host; unset uses the environment's ssh.command_timeout.")]
        public TimeSpan? Timeout { get; set; }

        [Description("Allow running on a group that is live in the load balancer. The default value is true: commands are usually read-only checks.")]
        public bool AllowLive { get; set; } = true;
    }

    public sealed class Outputs
    {
        [Description("The group the command ran on (null for explicit hosts).")]
        public string? Group { get; set; }

        [Description("Each host with exit_code, stdout (the last 64 KB) and stderr (the last 20 lines).")]
        public List<Dictionary<string, object?>> Hosts { get; set; } = [];
    }
}

/// <summary>ssh.run failed on at least one host; the message names each host, the command (masked), the exit code and stderr's tail.</summary>
public sealed class SshRunException(string message) : Exception(message);
