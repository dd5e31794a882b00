using Gantry.Engine.Activities;
using Gantry.Engine.Model;
using Gantry.Providers.Deploy;

namespace Gantry.Providers.Ssh;

/// <summary>How an environment's <c>ssh:</c> block and hosts become SSH hosts and connection options.</summary>
internal static class SshEnvironment
{
    public static SshHost Host(EnvironmentDefinition environment, string name, HostSettings settings) =>
        new(name, settings.Address, settings.User ?? environment.Ssh.User, settings.Port ?? environment.Ssh.Port);

    /// <param name="log">Where remote output lines go (per host, stdout or stderr); null to drop them.</param>
    public static SshConnectionOptions Options(
        EnvironmentDefinition environment,
        Func<string, string> secret,
        Func<string, string> mask,
        IStepLog? log
    ) =>
        Options(
            environment,
            secret,
            mask,
            log is null ? null : line => log.Output(line.Line, line.Stream == SshStream.StandardError ? "stderr" : "stdout", line.Host));

    /// <exception cref="DeployException">ssh.known_hosts is missing or ssh.key_exchange names an unusable algorithm.</exception>
    public static SshConnectionOptions Options(
        EnvironmentDefinition environment,
        Func<string, string> secret,
        Func<string, string> mask,
        Action<SshOutputLine>? output)
    {
        var ssh = environment.Ssh;
        if (string.IsNullOrWhiteSpace(ssh.KnownHosts))
        {
            throw new DeployException(
                $"environment {environment.Id}: ssh.known_hosts must be set (a known_hosts file, relative to the environment file, holding the key "
                + "of every host); Gantry never accepts host keys blindly");
        }

        if (ssh.KeyExchange is { } keyExchange && KeyExchangePreference.Problem(keyExchange) is { } problem)
        {
            throw new DeployException($"environment {environment.Id}: ssh.key_exchange {problem}");
        }

        var credentials = new SshCredentials
        {
            PrivateKeyPath = ssh.KeyFile is { Length: > 0 } keyFile ? EnvironmentReferences.Path(environment, keyFile) : null,
            PrivateKeyText = ssh.KeySecret is { Length: > 0 } keySecret ? secret(keySecret) : null,
            Password = ssh.PasswordSecret is { Length: > 0 } passwordSecret ? secret(passwordSecret) : null,
        };
        return new SshConnectionOptions
        {
            KnownHostsPath = EnvironmentReferences.Path(environment, ssh.KnownHosts),
            Credentials = credentials,
            ConnectTimeout = ssh.ConnectTimeout,
            CommandTimeout = ssh.CommandTimeout,
            KeyExchange = ssh.KeyExchange,
            Mask = mask,
            Output = output,
        };
    }
}
