namespace Gantry.Providers.Ssh;

/// <summary>One host to reach over SSH, as named in the environment document.</summary>
/// <param name="Name">The host's name in the environment (used in every message and callback), e.g. <c>web1</c>.</param>
/// <param name="Address">DNS name or IP address to connect to.</param>
/// <param name="User">SSH user name.</param>
/// <param name="Port">SSH port. The default value is 22.</param>
public sealed record SshHost(string Name, string Address, string User, int Port = 22)
{
    /// <summary>Credentials for this host only; <see langword="null"/> uses <see cref="SshConnectionOptions.Credentials"/>.</summary>
    public SshCredentials? Credentials { get; init; }

    /// <summary><c>web1 (10.0.0.5:22)</c>: how messages name the host.</summary>
    public override string ToString() => $"{Name} ({Address}:{Port})";
}

/// <summary>
/// How to authenticate. A private key comes from a file or from key text (a secret's value),
/// optionally protected by a passphrase. A password is used only when set explicitly.
/// </summary>
public sealed record SshCredentials
{
    /// <summary>Path of an OpenSSH/PEM private key file on the machine running Gantry.</summary>
    public string? PrivateKeyPath { get; init; }

    /// <summary>The private key itself (e.g. a secret's value).</summary>
    public string? PrivateKeyText { get; init; }

    /// <summary>Passphrase of the private key, if it has one.</summary>
    public string? Passphrase { get; init; }

    /// <summary>Password authentication; never tried unless set.</summary>
    public string? Password { get; init; }

    /// <summary>Credentials from a key file.</summary>
    public static SshCredentials FromKeyFile(string path, string? passphrase = null) => new() { PrivateKeyPath = path, Passphrase = passphrase };

    /// <summary>Credentials from key text, e.g. a secret's value.</summary>
    public static SshCredentials FromKeyText(string privateKey, string? passphrase = null) =>
        new() { PrivateKeyText = privateKey, Passphrase = passphrase };

    internal string Describe()
    {
        var parts = new List<string>();
        if (PrivateKeyPath is not null)
        {
            parts.Add($"the private key {PrivateKeyPath}");
        }

        if (PrivateKeyText is not null)
        {
            parts.Add("the private key given as text");
        }

        if (Password is not null)
        {
            parts.Add("the configured password");
        }

        return parts.Count == 0 ? "no credentials" : string.Join(" and ", parts);
    }

    /// <summary>Keeps secrets out of logs.</summary>
    public override string ToString() => $"SshCredentials({Describe()})";
}

/// <summary>Settings shared by every connection of a <see cref="SshConnectionPool"/>.</summary>
public sealed class SshConnectionOptions
{
    /// <summary>OpenSSH <c>known_hosts</c> file that every host key is checked against. Required.</summary>
    public required string KnownHostsPath { get; init; }

    /// <summary>Credentials used for hosts that have none of their own.</summary>
    public SshCredentials? Credentials { get; init; }

    /// <summary>How long to wait for the TCP connection, key exchange and login. The default value is 10 seconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one remote command may run unless the call says otherwise. The default value is 10 minutes.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Key exchange algorithms to offer, in order of preference; nothing else is offered. The default
    /// value (null) offers curve25519-sha256 first and every other algorithm SSH.NET implements after it.
    /// </summary>
    public IReadOnlyList<string>? KeyExchange { get; init; }

    /// <summary>Interval of SSH keep-alive messages. The default value is 30 seconds.</summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Replaces secret values in commands and output before they are shown. The default value leaves text unchanged.</summary>
    public Func<string, string> Mask { get; init; } = static text => text;

    /// <summary>Receives every line the remote commands print, tagged with the host. Its failures are ignored.</summary>
    public Action<SshOutputLine>? Output { get; init; }
}

/// <summary>Which remote stream a line came from.</summary>
public enum SshStream { StandardOutput, StandardError }

/// <summary>One line printed by a remote command (already masked).</summary>
/// <param name="Host">Host name (<see cref="SshHost.Name"/>).</param>
/// <param name="Stream">stdout or stderr.</param>
/// <param name="Line">The line without its line break.</param>
public sealed record SshOutputLine(string Host, SshStream Stream, string Line);

/// <summary>What a remote command did.</summary>
/// <param name="Host">Host name.</param>
/// <param name="Command">The command as shown (masked).</param>
/// <param name="ExitCode">Exit status; -1 when the command ended by a signal.</param>
/// <param name="StandardOutput">Everything printed on stdout (masked).</param>
/// <param name="StandardError">Everything printed on stderr (masked).</param>
public sealed record CommandResult(string Host, string Command, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Exit code 0.</summary>
    public bool Succeeded => ExitCode == 0;
}
