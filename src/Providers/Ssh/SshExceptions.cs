namespace Gantry.Providers.Ssh;

/// <summary>Base of every failure that concerns one SSH host.</summary>
public abstract class SshHostException : Exception
{
    private protected SshHostException(string host, string message, Exception? inner = null)
        : base(message, inner) => Host = host;

    /// <summary>The host's name (<see cref="SshHost.Name"/>).</summary>
    public string Host { get; }
}

/// <summary>Why a host key was refused.</summary>
public enum HostKeyProblem
{
    /// <summary>known_hosts has no key of this host.</summary>
    Unknown,

    /// <summary>known_hosts has a different key of the same type: possibly a man-in-the-middle.</summary>
    Changed,

    /// <summary>The key is marked <c>@revoked</c>.</summary>
    Revoked,
}

/// <summary>The host's key did not match known_hosts; Gantry never accepts a key silently.</summary>
public sealed class HostKeyException : SshHostException
{
    internal HostKeyException(SshHost host, HostKeyProblem problem, string keyType, string fingerprint, string knownHostsPath, string message)
        : base(host.Name, message)
    {
        Problem = problem;
        Address = host.Address;
        Port = host.Port;
        KeyType = keyType;
        Fingerprint = fingerprint;
        KnownHostsPath = knownHostsPath;
    }

    /// <summary>Unknown, changed or revoked.</summary>
    public HostKeyProblem Problem { get; }

    /// <summary>Address connected to.</summary>
    public string Address { get; }

    /// <summary>Port connected to.</summary>
    public int Port { get; }

    /// <summary>Key type offered by the server, e.g. <c>ssh-ed25519</c>.</summary>
    public string KeyType { get; }

    /// <summary>Fingerprint of the offered key, <c>SHA256:…</c>.</summary>
    public string Fingerprint { get; }

    /// <summary>The known_hosts file consulted.</summary>
    public string KnownHostsPath { get; }
}

/// <summary>The host could not be reached or refused the login.</summary>
public sealed class SshConnectException : SshHostException
{
    internal SshConnectException(string host, string message, Exception? inner)
        : base(host, message, inner)
    {
    }
}

/// <summary>A remote command exited with a non-zero status.</summary>
public sealed class RemoteCommandException : SshHostException
{
    /// <summary>How many stderr lines the message quotes.</summary>
    public const int TailLines = 10;

    internal RemoteCommandException(SshHost host, CommandResult result)
        : base(host.Name, Format(host, result))
    {
        Command = result.Command;
        ExitCode = result.ExitCode;
        StandardErrorTail = Tail(result.StandardError);
        Result = result;
    }

    /// <summary>The command (masked).</summary>
    public string Command { get; }

    /// <summary>Its exit code.</summary>
    public int ExitCode { get; }

    /// <summary>The last <see cref="TailLines"/> lines of stderr (masked).</summary>
    public string StandardErrorTail { get; }

    /// <summary>The whole result.</summary>
    public CommandResult Result { get; }

    internal static string Tail(string text)
    {
        var lines = text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');
        return string.Join('\n', lines.Skip(Math.Max(0, lines.Length - TailLines)));
    }

    private static string Format(SshHost host, CommandResult result)
    {
        var tail = Tail(result.StandardError);
        var stderr = tail.Length == 0
            ? "stderr was empty."
            : "stderr (last lines):\n" + string.Join('\n', tail.Split('\n').Select(l => "  " + l));
        return $"Command failed on {host} with exit code {result.ExitCode}: {result.Command}\n{stderr}";
    }
}

/// <summary>A remote command ran longer than its timeout and was stopped.</summary>
public sealed class RemoteCommandTimeoutException : SshHostException
{
    internal RemoteCommandTimeoutException(SshHost host, string command, TimeSpan timeout)
        : base(host.Name, $"Command on {host} did not finish within {Durations.Format(timeout)} and was stopped: {command}")
    {
        Command = command;
        Timeout = timeout;
    }

    /// <summary>The command (masked).</summary>
    public string Command { get; }

    /// <summary>The timeout that passed.</summary>
    public TimeSpan Timeout { get; }
}

internal static class Durations
{
    public static string Format(TimeSpan t) =>
        t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0} ms"
        : t.TotalMinutes < 2 ? $"{t.TotalSeconds:0.###} s"
        : $"{t.TotalMinutes:0.##} min";
}
