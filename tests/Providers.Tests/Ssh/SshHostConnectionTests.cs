using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Gantry.Providers.Ssh;
using Gantry.Providers.Tests.Fixtures;

namespace Gantry.Providers.Tests.Ssh;

[Collection(SshFleetCollection.Name)]
public sealed class SshHostConnectionTests(SshFleetFixture fleet)
{
    private SshHost Web1 => fleet.Hosts[0];

    [Fact]
    public async Task RunAsync_Echo_ReturnsOutputAndReportsEachLineTaggedWithHost()
    {
        var lines = new ConcurrentQueue<SshOutputLine>();
        using var pool = new SshConnectionPool(fleet.Options(lines.Enqueue));
        var web2 = await pool.GetAsync(fleet.Hosts[1], CancellationToken.None);

        var result = await web2.RunAsync("echo one; echo two >&2; echo three", CancellationToken.None);

        Assert.Equal(new CommandResult("web2", "echo one; echo two >&2; echo three", 0, "one\nthree\n", "two\n"), result);
        Assert.Equal(
            [new("web2", SshStream.StandardOutput, "one"), new("web2", SshStream.StandardOutput, "three")],
            lines.Where(l => l.Stream == SshStream.StandardOutput));
        Assert.Equal([new SshOutputLine("web2", SshStream.StandardError, "two")], lines.Where(l => l.Stream == SshStream.StandardError));
    }

    [Fact]
    public async Task RunAsync_FailingCommand_ThrowsNamingHostMaskedCommandExitCodeAndStderrTail()
    {
        var lines = new ConcurrentQueue<SshOutputLine>();
        var options = fleet.Options(lines.Enqueue);
        using var pool = new SshConnectionPool(new SshConnectionOptions
        {
            KnownHostsPath = options.KnownHostsPath,
            Credentials = options.Credentials,
            Output = options.Output,
            Mask = text => text.Replace("hunter2", "***", StringComparison.Ordinal),
        });
        var web1 = await pool.GetAsync(Web1, CancellationToken.None);

        var ex = await Assert.ThrowsAsync<RemoteCommandException>(() =>
            web1.RunAsync("echo token=hunter2 >&2; for i in $(seq 1 12); do echo \"err $i\" >&2; done; exit 3", CancellationToken.None));

        Assert.Equal(
            $"Command failed on web1 (127.0.0.2:{fleet.Port}) with exit code 3: echo token=*** >&2; for i in $(seq 1 12); do echo \"err $i\" >&2; done; exit 3\n"
            + "stderr (last lines):\n  err 3\n  err 4\n  err 5\n  err 6\n  err 7\n  err 8\n  err 9\n  err 10\n  err 11\n  err 12",
            ex.Message);
        Assert.Equal(("web1", 3), (ex.Host, ex.ExitCode));
        Assert.Equal(new SshOutputLine("web1", SshStream.StandardError, "token=***"), lines.First());
    }

    [Fact]
    public async Task RunAsync_LongerThanTimeout_ThrowsTimeoutNamingTheTimeout()
    {
        using var pool = new SshConnectionPool(fleet.Options());
        var web1 = await pool.GetAsync(Web1, CancellationToken.None);
        var clock = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<RemoteCommandTimeoutException>(() =>
            web1.RunAsync("sleep 30", new RemoteCommandOptions { Timeout = TimeSpan.FromMilliseconds(500) }, CancellationToken.None));

        Assert.Equal($"Command on web1 (127.0.0.2:{fleet.Port}) did not finish within 500 ms and was stopped: sleep 30", ex.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.Equal("ok\n", (await web1.RunAsync("echo ok", CancellationToken.None)).StandardOutput);
    }

    [Fact]
    public async Task GetAsync_DefaultKeyExchange_AgreesOnCurve25519NotTheManagedPostQuantumHybrid()
    {
        // OpenSSH offers sntrup761x25519 first; SSH.NET would take it and spend its CPU on it.
        using var pool = new SshConnectionPool(fleet.Options());

        var web1 = await pool.GetAsync(Web1, CancellationToken.None);

        Assert.Equal("curve25519-sha256", web1.KeyExchangeAlgorithm);
    }

    [Fact]
    public async Task GetAsync_KeyExchangeListed_OffersOnlyThoseInThatOrder()
    {
        using var pool = new SshConnectionPool(fleet.Options(keyExchange: ["sntrup761x25519-sha512", "curve25519-sha256"]));

        var web1 = await pool.GetAsync(Web1, CancellationToken.None);

        Assert.Equal("sntrup761x25519-sha512", web1.KeyExchangeAlgorithm);
    }

    [Fact]
    public async Task GetAsync_KeyExchangeTheServerRefuses_FailsNamingTheHost()
    {
        // OpenSSH has not offered diffie-hellman-group1-sha1 since 7.0.
        using var pool = new SshConnectionPool(fleet.Options(keyExchange: ["diffie-hellman-group1-sha1"]));

        var error = await Assert.ThrowsAsync<SshConnectException>(() => pool.GetAsync(Web1, CancellationToken.None));

        Assert.Equal("web1", error.Host);
        Assert.StartsWith($"Cannot connect to web1 (127.0.0.2:{fleet.Port}): ", error.Message, StringComparison.Ordinal);
        Assert.Contains("diffie-hellman-group1-sha1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetAsync_SameHostTwice_ReusesOneConnection()
    {
        using var pool = new SshConnectionPool(fleet.Options());

        var first = await pool.GetAsync(Web1, CancellationToken.None);
        var second = await pool.GetAsync(Web1 with { Name = "web1" }, CancellationToken.None);
        var other = await pool.GetAsync(fleet.Hosts[1], CancellationToken.None);

        Assert.Same(first, second);
        Assert.NotSame(first, other);
    }

    [Fact]
    public async Task GetAsync_HostKeyNotInKnownHosts_ThrowsWithFingerprintAndHowToAddIt()
    {
        var knownHosts = fleet.WriteKnownHosts($"[127.0.0.3]:{fleet.Port} {fleet.HostPublicKey}");
        using var pool = new SshConnectionPool(fleet.Options(knownHostsPath: knownHosts));

        var ex = await Assert.ThrowsAsync<HostKeyException>(() => pool.GetAsync(Web1, CancellationToken.None));

        Assert.Equal(
            $"Host key of web1 (127.0.0.2:{fleet.Port}) is not known: the server offered ssh-ed25519 key {fleet.HostKeyFingerprint}, which is not in {knownHosts}. "
            + $"Gantry never trusts a key silently. Check the fingerprint with the host's administrator, then add it with: ssh-keyscan -p {fleet.Port} 127.0.0.2 >> {knownHosts}",
            ex.Message);
        Assert.Equal((HostKeyProblem.Unknown, "ssh-ed25519", fleet.HostKeyFingerprint), (ex.Problem, ex.KeyType, ex.Fingerprint));
    }

    [Fact]
    public async Task GetAsync_HostKeyChanged_ThrowsLoudWarningWithBothFingerprints()
    {
        var knownHosts = fleet.WriteKnownHosts("# fleet", $"[127.0.0.2]:{fleet.Port} {fleet.OtherHostPublicKey}");
        using var pool = new SshConnectionPool(fleet.Options(knownHostsPath: knownHosts));

        var ex = await Assert.ThrowsAsync<HostKeyException>(() => pool.GetAsync(Web1, CancellationToken.None));

        Assert.Equal(
            $"WARNING: THE HOST KEY OF web1 (127.0.0.2:{fleet.Port}) HAS CHANGED. Someone could be intercepting the connection (man-in-the-middle), or the host was reinstalled. "
            + $"The server offered ssh-ed25519 key {fleet.HostKeyFingerprint}, but {knownHosts} line 2 expects {fleet.OtherHostKeyFingerprint}. Gantry refused to connect. "
            + $"Only if the change is expected: ssh-keygen -R '[127.0.0.2]:{fleet.Port}' -f {knownHosts} && ssh-keyscan -p {fleet.Port} 127.0.0.2 >> {knownHosts}",
            ex.Message);
        Assert.Equal(HostKeyProblem.Changed, ex.Problem);
    }

    [Fact]
    public async Task GetAsync_HashedKnownHostsEntry_Connects()
    {
        var knownHosts = fleet.WriteKnownHosts($"[127.0.0.2]:{fleet.Port} {fleet.HostPublicKey}");
        await SshFleetFixture.RunAsync("ssh-keygen", "-q", "-H", "-f", knownHosts);
        Assert.StartsWith("|1|", await File.ReadAllTextAsync(knownHosts));
        using var pool = new SshConnectionPool(fleet.Options(knownHostsPath: knownHosts));

        var web1 = await pool.GetAsync(Web1, CancellationToken.None);

        Assert.Equal("hashed\n", (await web1.RunAsync("echo hashed", CancellationToken.None)).StandardOutput);
    }

    [Fact]
    public async Task GetAsync_KeyTextWithPassphrase_Connects()
    {
        var key = Path.Combine(fleet.Root, $"passphrase_key_{Guid.NewGuid():N}");
        await SshFleetFixture.RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-f", key);
        await File.AppendAllTextAsync(Path.Combine(fleet.Root, "authorized_keys"), await File.ReadAllTextAsync(key + ".pub"));
        using var pool = new SshConnectionPool(fleet.Options(credentials: SshCredentials.FromKeyText(await File.ReadAllTextAsync(key), "s3cret")));

        var web1 = await pool.GetAsync(Web1, CancellationToken.None);

        Assert.Equal("text key\n", (await web1.RunAsync("echo text key", CancellationToken.None)).StandardOutput);
    }

    [Fact]
    public async Task GetAsync_WrongClientKey_ThrowsNamingUserAndKey()
    {
        using var pool = new SshConnectionPool(fleet.Options(credentials: SshCredentials.FromKeyFile(fleet.WrongClientKeyPath)));

        var ex = await Assert.ThrowsAsync<SshConnectException>(() => pool.GetAsync(Web1, CancellationToken.None));

        Assert.Equal(
            $"Cannot log in to web1 (127.0.0.2:{fleet.Port}) as {fleet.User}: the server refused the private key {fleet.WrongClientKeyPath} (Permission denied (publickey).). "
            + $"Check that the matching public key is in ~{fleet.User}/.ssh/authorized_keys on the host.",
            ex.Message);
    }

    [Fact]
    public async Task GetAsync_NothingListening_ThrowsConnectionRefused()
    {
        var port = UnusedPort();
        using var pool = new SshConnectionPool(fleet.Options());

        var ex = await Assert.ThrowsAsync<SshConnectException>(() => pool.GetAsync(Web1 with { Port = port }, CancellationToken.None));

        Assert.Equal($"Cannot connect to web1 (127.0.0.2:{port}): connection refused. Is sshd running and listening on port {port}?", ex.Message);
    }

    internal static int UnusedPort()
    {
        using var listener = new TcpListener(IPAddress.Parse("127.0.0.2"), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
