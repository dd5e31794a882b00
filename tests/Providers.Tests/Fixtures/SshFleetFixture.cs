using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;

namespace Gantry.Providers.Tests.Fixtures;

/// <summary>
/// A real OpenSSH server (one <c>sshd -D -e</c> child process) listening on 127.0.0.2 … 127.0.0.5,
/// one address per fake host, with its own host key, client keys, known_hosts and a bare git
/// origin whose tags v3.0.0 … v3.0.3 each hold a VERSION file. Every test gets fresh deploy roots
/// from <see cref="NewSite"/>; the tiny app of each host is started by its restart command.
/// </summary>
public sealed class SshFleetFixture : IAsyncLifetime
{
    public static readonly string[] Tags = ["v3.0.0", "v3.0.1", "v3.0.2", "v3.0.3"];

    private readonly StringBuilder _sshdLog = new();
    private readonly List<string> _pidFiles = [];
    private Process? _sshd;
    private int _sites;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "gantry-ssh-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port { get; private set; }

    public string User { get; } = Environment.UserName;

    public IReadOnlyList<SshHost> Hosts { get; private set; } = [];

    public string KnownHostsPath => Path.Combine(Root, "known_hosts");

    public string ClientKeyPath => Path.Combine(Root, "client_key");

    public string WrongClientKeyPath => Path.Combine(Root, "wrong_client_key");

    public string HostPublicKey { get; private set; } = "";

    public string HostKeyFingerprint { get; private set; } = "";

    public string OtherHostPublicKey { get; private set; } = "";

    public string OtherHostKeyFingerprint { get; private set; } = "";

    public string OriginUrl => "file://" + Path.Combine(Root, "origin.git");

    public string BinPath => Path.Combine(Root, "bin");

    public string SshdLog
    {
        get
        {
            lock (_sshdLog)
            {
                return _sshdLog.ToString();
            }
        }
    }

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory("/run/sshd");
        Directory.CreateDirectory(BinPath);
        foreach (var file in new[] { "app.js", "restart-app.sh" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Fixtures", "app", file), Path.Combine(BinPath, file));
        }

        var hostKey = Path.Combine(Root, "ssh_host_ed25519_key");
        var otherKey = Path.Combine(Root, "other_host_ed25519_key");
        foreach (var key in new[] { hostKey, otherKey, ClientKeyPath, WrongClientKeyPath })
        {
            await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gantry-test", "-f", key);
        }

        HostPublicKey = PublicKeyOf(hostKey);
        OtherHostPublicKey = PublicKeyOf(otherKey);
        HostKeyFingerprint = await FingerprintAsync(hostKey);
        OtherHostKeyFingerprint = await FingerprintAsync(otherKey);
        File.Copy(ClientKeyPath + ".pub", Path.Combine(Root, "authorized_keys"));

        Port = FreePort("127.0.0.2");
        Hosts = Enumerable.Range(0, 4).Select(i => new SshHost($"web{i + 1}", $"127.0.0.{i + 2}", User, Port)).ToList();
        File.WriteAllLines(KnownHostsPath, Hosts.Select(h => $"[{h.Address}]:{Port} {HostPublicKey}"));

        Directory.CreateDirectory(Path.Combine(Root, "home"));
        var config = Path.Combine(Root, "sshd_config");
        File.WriteAllLines(config, Hosts.Select(h => $"ListenAddress {h.Address}:{Port}").Concat(
        [
            $"HostKey {hostKey}",
            $"PidFile {Path.Combine(Root, "sshd.pid")}",
            $"AuthorizedKeysFile {Path.Combine(Root, "authorized_keys")}",
            "StrictModes no",
            "UsePAM no",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "MaxStartups 100",
            "MaxSessions 100",
            "LogLevel VERBOSE",
            "Subsystem sftp /usr/lib/openssh/sftp-server",
            // Sessions get an empty home of their own: bash started by sshd reads ~/.bashrc even for
            // one command, and the test user's (root's pyenv and cargo set-up here) cost 2 s or more
            // per command, which would dominate every deploy. Real hosts keep their own shells.
            $"SetEnv HOME={Path.Combine(Root, "home")}",
        ]));

        _sshd = new Process
        {
            StartInfo = new ProcessStartInfo("/usr/sbin/sshd", ["-D", "-e", "-f", config])
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            },
        };
        _sshd.ErrorDataReceived += (_, e) => AppendLog(e.Data);
        _sshd.OutputDataReceived += (_, e) => AppendLog(e.Data);
        _sshd.Start();
        _sshd.BeginErrorReadLine();
        _sshd.BeginOutputReadLine();
        await WaitForSshdAsync();
        await CreateOriginAsync();
    }

    public Task DisposeAsync()
    {
        foreach (var pidFile in _pidFiles)
        {
            KillByPidFile(pidFile);
        }

        if (_sshd is { HasExited: false })
        {
            _sshd.Kill();
            _sshd.WaitForExit(5000);
        }

        _sshd?.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }

    /// <summary>Connection settings for the fleet: the generated client key and known_hosts.</summary>
    public SshConnectionOptions Options(
        Action<SshOutputLine>? output = null, string? knownHostsPath = null, SshCredentials? credentials = null, TimeSpan? commandTimeout = null, IReadOnlyList<string>? keyExchange = null) => new()
    {
        KnownHostsPath = knownHostsPath ?? KnownHostsPath,
        Credentials = credentials ?? SshCredentials.FromKeyFile(ClientKeyPath),
        ConnectTimeout = TimeSpan.FromSeconds(30),
        CommandTimeout = commandTimeout ?? TimeSpan.FromSeconds(60),
        KeyExchange = keyExchange,
        Output = output,
    };

    /// <summary>An environment document's <c>ssh:</c> block that reaches this fleet: its user, port, pinned host key and client key.</summary>
    public string EnvironmentSshBlock => $"""
        ssh:
          user: {User}
          port: {Port}
          known_hosts: {KnownHostsPath}
          key_file: {ClientKeyPath}
          connect_timeout: 30s
          command_timeout: 60s
        """;

    /// <summary>Fresh deploy roots and app ports, one per host, for one test.</summary>
    public FleetSite NewSite(int hosts = 2)
    {
        var site = Path.Combine(Root, "sites", $"site{Interlocked.Increment(ref _sites)}");
        var list = new List<SiteHost>();
        foreach (var host in Hosts.Take(hosts))
        {
            var root = Path.Combine(site, host.Name);
            Directory.CreateDirectory(root);
            var port = FreePort(host.Address);
            var url = $"http://{host.Address}:{port}/";
            lock (_pidFiles)
            {
                _pidFiles.Add(Path.Combine(root, "app.pid"));
            }

            var layout = new DeployLayout
            {
                Root = root,
                RestartCommand = $"sh {BinPath}/restart-app.sh {root} {host.Address} {port}",
                HealthCheck = new HttpHealthCheck(url + "health") { Attempts = 40, Interval = TimeSpan.FromMilliseconds(100) },
            };
            list.Add(new SiteHost(host, root, port, url, layout));
        }

        return new FleetSite(list);
    }

    /// <summary>A tar.gz of a tag, as the caller of an archive deploy would make it.</summary>
    public async Task<string> ArchiveAsync(string tag)
    {
        var path = Path.Combine(Root, $"{tag}-{Guid.NewGuid():N}.tar.gz");
        await RunAsync("git", "--git-dir", Path.Combine(Root, "origin.git"), "archive", "--format=tar.gz", "-o", path, tag);
        return path;
    }

    /// <summary>The short commit of a tag in origin, as revisions.log records it.</summary>
    public async Task<string> ShortCommitAsync(string tag) =>
        (await RunAsync("git", "--git-dir", Path.Combine(Root, "origin.git"), "rev-parse", "--short", tag + "^{commit}")).Trim();

    /// <summary>A known_hosts file with the given lines.</summary>
    public string WriteKnownHosts(params string[] lines)
    {
        var path = Path.Combine(Root, $"known_hosts-{Guid.NewGuid():N}");
        File.WriteAllLines(path, lines);
        return path;
    }

    public static async Task<string> RunAsync(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? await stdout
            : throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}");
    }

    private static string PublicKeyOf(string key)
    {
        var fields = File.ReadAllText(key + ".pub").Trim().Split(' ');
        return $"{fields[0]} {fields[1]}";
    }

    private static async Task<string> FingerprintAsync(string key) =>
        (await RunAsync("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub")).Split(' ')[1];

    private static int FreePort(string address)
    {
        using var listener = new TcpListener(IPAddress.Parse(address), 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void KillByPidFile(string pidFile)
    {
        try
        {
            if (File.Exists(pidFile) && int.TryParse(File.ReadAllText(pidFile).Trim(), out var pid))
            {
                using var process = Process.GetProcessById(pid);
                process.Kill();
            }
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
        {
        }
    }

    private void AppendLog(string? line)
    {
        if (line is not null)
        {
            lock (_sshdLog)
            {
                _sshdLog.AppendLine(line);
            }
        }
    }

    private async Task WaitForSshdAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        foreach (var host in Hosts)
        {
            while (true)
            {
                if (_sshd!.HasExited)
                {
                    throw new InvalidOperationException($"sshd exited with {_sshd.ExitCode}:\n{SshdLog}");
                }

                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(host.Address, Port);
                    break;
                }
                catch (SocketException) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(50);
                }
            }
        }
    }

    private async Task CreateOriginAsync()
    {
        var origin = Path.Combine(Root, "origin.git");
        var work = Path.Combine(Root, "origin-work");
        await RunAsync("git", "init", "--quiet", "--bare", origin);
        await RunAsync("git", "init", "--quiet", "-b", "production", work);
        foreach (var tag in Tags)
        {
            await File.WriteAllTextAsync(Path.Combine(work, "VERSION"), tag.TrimStart('v') + "\n");
            await RunAsync("git", "-C", work, "add", "VERSION");
            await RunAsync("git", "-C", work, "-c", "user.name=Gantry tests", "-c", "user.email=tests@gantry.invalid", "commit", "--quiet", "-m", $"Release {tag}");
            await RunAsync("git", "-C", work, "tag", tag);
        }

        await RunAsync("git", "-C", work, "push", "--quiet", "--tags", origin, "production");

        // A hosted origin's HEAD names its default branch; a clone then checks it out.
        await RunAsync("git", "--git-dir", origin, "symbolic-ref", "HEAD", "refs/heads/production");
    }
}

/// <summary>One fake host of a test: its SSH host, deploy root, app port and layout.</summary>
public sealed record SiteHost(SshHost Host, string Root, int AppPort, string Url, DeployLayout Layout)
{
    public DeployTarget Target => new(Host, Layout);

    public string Name => Host.Name;
}

/// <summary>The fake hosts of one test.</summary>
public sealed class FleetSite(IReadOnlyList<SiteHost> hosts)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(5) };

    public IReadOnlyList<SiteHost> Hosts { get; } = hosts;

    public SiteHost this[int index] => Hosts[index];

    public IReadOnlyList<DeployTarget> Targets => Hosts.Select(h => h.Target).ToList();

    /// <summary>What the host's app serves on GET /.</summary>
    /// <remarks>Waits a little for an app that a rollback without a health check has just restarted.</remarks>
    public static async Task<string> ServedAsync(SiteHost host)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return (await Http.GetStringAsync(host.Url)).Trim();
            }
            catch (HttpRequestException) when (attempt < 300)
            {
                await Task.Delay(200);
            }
        }
    }

    /// <summary>The release the current link points to, read from the file system.</summary>
    public static string? CurrentOf(SiteHost host)
    {
        var link = new FileInfo(Path.Combine(host.Root, "current"));
        return link.LinkTarget is { } target ? Path.GetFileName(target) : null;
    }

    /// <summary>Release folders on disk, sorted by name.</summary>
    public static IReadOnlyList<string> ReleasesOf(SiteHost host) =>
        Directory.Exists(Path.Combine(host.Root, "releases"))
            ? Directory.GetDirectories(Path.Combine(host.Root, "releases")).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
}

[CollectionDefinition(Name)]
public sealed class SshFleetCollection : ICollectionFixture<SshFleetFixture>
{
    public const string Name = "ssh-fleet";
}
