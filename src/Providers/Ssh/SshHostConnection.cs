using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Gantry.Providers.Ssh;

/// <summary>Per-call settings of a remote command.</summary>
public sealed record RemoteCommandOptions
{
    /// <summary>Overrides <see cref="SshConnectionOptions.CommandTimeout"/> for this command.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>Whether the command's lines go to <see cref="SshConnectionOptions.Output"/>. The default value is true.</summary>
    public bool ReportOutput { get; init; } = true;

    /// <summary>What messages show instead of the command text, e.g. the user's hook without Gantry's wrapper.</summary>
    public string? DisplayCommand { get; init; }

    /// <summary>Sees every output line first (both streams); a line it returns true for stays out of <see cref="SshConnectionOptions.Output"/> (it is
    /// still in the result).</summary>
    public Func<string, bool>? Intercept { get; init; }
}

/// <summary>
/// One authenticated SSH connection to one host, reused for every command of a run. Obtain it
/// from <see cref="SshConnectionPool"/>; the pool closes it.
/// </summary>
public sealed class SshHostConnection : IDisposable
{
    private readonly SshClient _client;
    private readonly ConnectionFactory _factory;
    private readonly SshConnectionOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _sftpLock = new(1, 1);
    private SftpClient? _sftp;

    private SshHostConnection(SshHost host, SshClient client, ConnectionFactory factory, SshConnectionOptions options, TimeProvider time)
    {
        Host = host;
        _client = client;
        _factory = factory;
        _options = options;
        _time = time;
    }

    /// <summary>The host this connection reaches.</summary>
    public SshHost Host { get; }

    internal bool IsConnected => _client.IsConnected;

    /// <summary>The key exchange algorithm the server and Gantry agreed on.</summary>
    internal string? KeyExchangeAlgorithm => _client.ConnectionInfo.CurrentKeyExchangeAlgorithm;

    internal static async Task<SshHostConnection> OpenAsync(
        SshHost host,
        SshConnectionOptions options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var factory = new ConnectionFactory(host, options);
        var client = new SshClient(factory.CreateInfo()) { KeepAliveInterval = options.KeepAliveInterval };
        try
        {
            await factory.ConnectAsync(client, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return new SshHostConnection(host, client, factory, options, time);
    }

    /// <summary>Runs a command and returns its result whatever its exit code.</summary>
    /// <exception cref="RemoteCommandTimeoutException">The command outlived its timeout.</exception>
    public async Task<CommandResult> ExecuteAsync(string command, RemoteCommandOptions? options, CancellationToken cancellationToken)
    {
        options ??= new RemoteCommandOptions();
        var shown = _options.Mask(options.DisplayCommand ?? command);
        var timeout = options.Timeout ?? _options.CommandTimeout;
        using var timeoutCts = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeoutCts.Token);
        using var cmd = _client.CreateCommand(command);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        Task execution;
        try
        {
            // SSH.NET opens the channel and sends the exec request synchronously, waiting for sshd's
            // replies (it forks the session first): 0.3-0.6 s under load. On a thread-pool thread, a
            // group's hosts held every pool thread at once and the pool grows slowly, so their scripts
            // started one after another and the health probes queued behind them (a group's time out
            // of rotation grew with its size). A thread of its own keeps the pool free.
            execution = await Task.Factory
                .StartNew(() => cmd.ExecuteAsync(linked.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
        catch (SshConnectionException ex)
        {
            throw new SshConnectException(Host.Name, $"Lost the connection to {Host} before running: {shown} ({ex.Message})", ex);
        }

        var pumps = new[]
        {
            Pump(cmd.OutputStream, SshStream.StandardOutput, stdout, options),
            Pump(cmd.ExtendedOutputStream, SshStream.StandardError, stderr, options),
        };
        try
        {
            await execution.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeoutCts.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new RemoteCommandTimeoutException(Host, shown, timeout);
        }
        catch (SshOperationTimeoutException)
        {
            throw new RemoteCommandTimeoutException(Host, shown, timeout);
        }
        catch (SshConnectionException ex)
        {
            throw new SshConnectException(Host.Name, $"Lost the connection to {Host} while running: {shown} ({ex.Message})", ex);
        }
        finally
        {
            // The streams end when the channel closes; the grace period only guards against a stuck reader.
            await Task.WhenAny(Task.WhenAll(pumps), Task.Delay(TimeSpan.FromSeconds(5), _time, CancellationToken.None)).ConfigureAwait(false);
        }

        lock (stdout)
        {
            lock (stderr)
            {
                return new CommandResult(Host.Name, shown, cmd.ExitStatus ?? -1, stdout.ToString(), stderr.ToString());
            }
        }
    }

    /// <summary>Runs a command and throws <see cref="RemoteCommandException"/> unless it exits with 0.</summary>
    public async Task<CommandResult> RunAsync(string command, RemoteCommandOptions? options, CancellationToken cancellationToken)
    {
        var result = await ExecuteAsync(command, options, cancellationToken).ConfigureAwait(false);
        return result.Succeeded ? result : throw new RemoteCommandException(Host, result);
    }

    /// <summary>Runs a command with default options and throws unless it exits with 0.</summary>
    public Task<CommandResult> RunAsync(string command, CancellationToken cancellationToken) => RunAsync(command, null, cancellationToken);

    /// <summary>Uploads a local stream to a remote path over SFTP (a second channel set up on first use).</summary>
    public async Task UploadAsync(Stream content, string remotePath, CancellationToken cancellationToken)
    {
        await _sftpLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sftp is null || !_sftp.IsConnected)
            {
                _sftp?.Dispose();
                var sftp = new SftpClient(_factory.CreateInfo());
                try
                {
                    await _factory.ConnectAsync(sftp, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    sftp.Dispose();
                    throw;
                }

                _sftp = sftp;
            }

            await _sftp.UploadFileAsync(content, remotePath, cancellationToken).ConfigureAwait(false);
        }
        catch (SshException ex) when (ex is not SshConnectionException)
        {
            throw new SshConnectException(Host.Name, $"Upload to {Host}:{remotePath} failed: {ex.Message}", ex);
        }
        finally
        {
            _sftpLock.Release();
        }
    }

    /// <summary>Closes the connection.</summary>
    public void Dispose()
    {
        _sftp?.Dispose();
        _client.Dispose();
        _sftpLock.Dispose();
    }

    private Task Pump(Stream stream, SshStream kind, StringBuilder sink, RemoteCommandOptions options) =>
        Task.Factory.StartNew(
            () =>
            {
                try
                {
                    using var reader = new StreamReader(
                        stream,
                        Encoding.UTF8,
                        detectEncodingFromByteOrderMarks: false,
                        bufferSize: 4096,
                        leaveOpen: true);
                    while (reader.ReadLine() is { } line)
                    {
                        var masked = _options.Mask(line);
                        lock (sink)
                        {
                            sink.Append(masked).Append('\n');
                        }

                        if (options.Intercept?.Invoke(masked) != true && options.ReportOutput)
                        {
                            Notify(new SshOutputLine(Host.Name, kind, masked));
                        }
                    }
                }
                catch (ObjectDisposedException)
                {
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);

    private void Notify(SshOutputLine line)
    {
        try
        {
            _options.Output?.Invoke(line);
        }
        catch
        {
            // An observer never fails a deploy.
        }
    }

    /// <summary>Builds connection settings and connects with host-key verification and one timeout.</summary>
    private sealed class ConnectionFactory(SshHost host, SshConnectionOptions options)
    {
        private readonly SshCredentials _credentials = host.Credentials
            ?? options.Credentials
            ?? throw new ArgumentException(
                $"No SSH credentials for {host}: set a private key (or a password) on the host or in the connection options.",
                nameof(options));

        public ConnectionInfo CreateInfo()
        {
            var methods = new List<AuthenticationMethod>();
            if (_credentials.PrivateKeyPath is not null || _credentials.PrivateKeyText is not null)
            {
                methods.Add(new PrivateKeyAuthenticationMethod(host.User, LoadKey()));
            }

            if (_credentials.Password is not null)
            {
                methods.Add(new PasswordAuthenticationMethod(host.User, _credentials.Password));
            }

            if (methods.Count == 0)
            {
                throw new ArgumentException($"No SSH credentials for {host}: set a private key (or a password).", nameof(options));
            }

            var info = new ConnectionInfo(host.Address, host.Port, host.User, [.. methods]) { Timeout = options.ConnectTimeout };
            PreferKnownKeyTypes(info);
            KeyExchangePreference.Apply(info, options.KeyExchange);
            return info;
        }

        public async Task ConnectAsync(BaseClient client, CancellationToken cancellationToken)
        {
            var knownHosts = KnownHosts.Load(options.KnownHostsPath);
            HostKeyException? rejected = null;
            client.HostKeyReceived += (_, e) =>
            {
                rejected = CheckHostKey(knownHosts, e.HostKey);
                e.CanTrust = rejected is null;
            };

            using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutCts.CancelAfter(options.ConnectTimeout);
            try
            {
                await client.ConnectAsync(timeoutCts.Token).ConfigureAwait(false);
            }
            catch (Exception) when (rejected is not null)
            {
                throw rejected;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(null);
            }
            catch (SshOperationTimeoutException ex)
            {
                throw TimedOut(ex);
            }
            catch (SshAuthenticationException ex)
            {
                throw new SshConnectException(
                    host.Name,
                    $"Cannot log in to {host} as {host.User}: the server refused {_credentials.Describe()} ({ex.Message}). "
                    + $"Check that the matching public key is in ~{host.User}/.ssh/authorized_keys on the host.",
                    ex);
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionRefused)
            {
                throw new SshConnectException(
                    host.Name,
                    $"Cannot connect to {host}: connection refused. Is sshd running and listening on port {host.Port}?",
                    ex);
            }
            catch (SshConnectionException ex) when (ex.DisconnectReason == Renci.SshNet.Messages.Transport.DisconnectReason.KeyExchangeFailed)
            {
                var offered = options.KeyExchange is { } chosen
                    ? $"ssh.key_exchange: {string.Join(", ", chosen)}"
                    : "curve25519-sha256 first, then SSH.NET's other algorithms";
                throw new SshConnectException(
                    host.Name,
                    $"Cannot connect to {host}: the server accepts none of the key exchange algorithms offered ({offered}): {ex.Message}",
                    ex);
            }
            catch (Exception ex) when (ex is SocketException or SshException or IOException)
            {
                throw new SshConnectException(host.Name, $"Cannot connect to {host}: {ex.Message}", ex);
            }
        }

        private SshConnectException TimedOut(Exception? inner) =>
            new(host.Name, $"Cannot connect to {host}: no SSH answer within {Durations.Format(options.ConnectTimeout)} (connect timeout).", inner);

        private PrivateKeyFile LoadKey()
        {
            try
            {
                if (_credentials.PrivateKeyPath is { } path)
                {
                    return new PrivateKeyFile(path, _credentials.Passphrase);
                }

                using var text = new MemoryStream(Encoding.UTF8.GetBytes(_credentials.PrivateKeyText!));
                return new PrivateKeyFile(text, _credentials.Passphrase);
            }
            catch (Exception ex) when (ex is SshException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                throw new SshConnectException(host.Name, $"Cannot use {_credentials.Describe()} for {host}: {ex.Message}", ex);
            }
        }

        private void PreferKnownKeyTypes(ConnectionInfo info)
        {
            // Like OpenSSH: when known_hosts has keys of some types for this host, ask only for those,
            // so a host that also has other key types is not reported as unknown.
            var known = KnownHosts.Load(options.KnownHostsPath).KnownKeyTypes(host.Address, host.Port);
            if (known.Count == 0)
            {
                return;
            }

            var unwanted = info.HostKeyAlgorithms.Keys.Where(a => !known.Contains(KeyTypeOfAlgorithm(a))).ToList();
            if (unwanted.Count < info.HostKeyAlgorithms.Count)
            {
                foreach (var algorithm in unwanted)
                {
                    info.HostKeyAlgorithms.Remove(algorithm);
                }
            }
        }

        private static string KeyTypeOfAlgorithm(string algorithm) => algorithm is "rsa-sha2-256" or "rsa-sha2-512" ? "ssh-rsa" : algorithm;

        private HostKeyException? CheckHostKey(KnownHosts knownHosts, byte[] key)
        {
            var verdict = knownHosts.Check(host.Address, host.Port, key);
            if (verdict.Problem is not { } problem)
            {
                return null;
            }

            var keyType = KnownHosts.KeyTypeOf(key);
            var fingerprint = KnownHosts.Fingerprint(key);
            var path = knownHosts.Path;
            var add = $"ssh-keyscan -p {host.Port} {host.Address} >> {path}";
            var message = problem switch
            {
                HostKeyProblem.Unknown =>
                    $"Host key of {host} is not known: the server offered {keyType} key {fingerprint}, which is not in {path}. "
                    + $"Gantry never trusts a key silently. Check the fingerprint with the host's administrator, then add it with: {add}",
                HostKeyProblem.Changed =>
                    $"WARNING: THE HOST KEY OF {host} HAS CHANGED. Someone could be intercepting the connection (man-in-the-middle), or the host "
                    + "was reinstalled. "
                        + $"The server offered {keyType} key {fingerprint}, but {path} line {verdict.Expected!.Line} expects "
                        + $"{verdict.Expected.Fingerprint}. Gantry refused to connect. "
                        + $"Only if the change is expected: ssh-keygen -R '{KnownHosts.LookupName(host.Address, host.Port)}' -f {path} && {add}",
                _ =>
                    $"Host key of {host} is REVOKED: the server offered {keyType} key {fingerprint}, which {path} marks @revoked. Gantry refused to "
                    + "connect.",
            };
            return new HostKeyException(host, problem, keyType, fingerprint, path, message);
        }
    }
}
