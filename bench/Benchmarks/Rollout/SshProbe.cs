using System.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Providers.Ssh;
using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// Where a host's deploy time goes over SSH: Gantry's connection setup and one command round trip
/// (SSH.NET, as <see cref="ReleaseDeployer"/> uses it) next to Paramiko's (what Fabric uses), on the fleet's first group.
/// </summary>
internal static class SshProbe
{
    public static async Task<string> MeasureAsync(RealFleet fleet)
    {
        var environment = DocumentLoader.LoadEnvironment(fleet.EnvironmentYaml, fleet.EnvironmentPath).GetOrThrow();
        var options = new SshConnectionOptions
        {
            KnownHostsPath = environment.Ssh.KnownHosts!,
            Credentials = SshCredentials.FromKeyFile(environment.Ssh.KeyFile!),
        };
        var host = fleet.Hosts[0];
        var target = new SshHost(host.Name, host.Address, environment.Ssh.User, environment.Ssh.Port);
        List<double> connect = [], command = [];
        for (var i = 0; i < 3; i++)
        {
            using var pool = new SshConnectionPool(options);
            var clock = Stopwatch.StartNew();
            var connection = await pool.GetAsync(target, CancellationToken.None);
            connect.Add(clock.Elapsed.TotalSeconds);
            clock.Restart();
            await connection.RunAsync("true", CancellationToken.None);
            command.Add(clock.Elapsed.TotalSeconds);
        }

        var script = $$"""
            import time, paramiko
            c, r = [], []
            for i in range(3):
                t = time.monotonic()
                client = paramiko.SSHClient()
                client.load_host_keys("{{environment.Ssh.KnownHosts}}")
                client.set_missing_host_key_policy(paramiko.RejectPolicy())
                client.connect("{{host.Address}}", port={{environment.Ssh.Port}}, username="{{environment.Ssh.User}}", key_filename="{{environment.Ssh.KeyFile}}", look_for_keys=False, allow_agent=False)
                c.append(time.monotonic() - t)
                t = time.monotonic()
                _, out, _ = client.exec_command("true")
                out.channel.recv_exit_status()
                r.append(time.monotonic() - t)
                client.close()
            print(f"paramiko connect {sorted(c)[1]:.3f} s, command {sorted(r)[1]:.3f} s")
            """;
        var paramiko = (await FleetCommand.RunAsync(FabricRollout.Python, ["-c", script])).Trim();
        return $"SSH.NET connect {connect.Order().ElementAt(1):0.000} s, command {command.Order().ElementAt(1):0.000} s; {paramiko} (medians of 3)";
    }
}
