using Gantry.Providers.Deploy;
using Gantry.Providers.Ssh;

namespace Gantry.Testing.Fleet;

/// <summary>
/// The real OpenSSH fleet of the provider and server tests: the fleet's sshd (<see cref="FleetSshd"/>)
/// listening on 127.0.0.2 … 127.0.0.5, one address per fake host, with its pinned host key and client
/// key, a second host key and a wrong client key for the attacks, and a bare git origin whose tags
/// v3.0.0 … v3.0.3 each hold a VERSION file. Every test gets fresh deploy roots from
/// <see cref="NewSite"/>; each host runs the fleet's app (app/app.js), started by the fleet's restart
/// script (app/restart-app.sh).
/// </summary>
public sealed class SshFleetFixture : IAsyncLifetime
{
    public static readonly string[] Tags = ["v3.0.0", "v3.0.1", "v3.0.2", "v3.0.3"];

    private readonly List<string> _pidFiles = [];
    private FleetSshd? _sshd;
    private int _sites;

    public string Root { get; } = Path.Combine(Path.GetTempPath(), "gantry-ssh-" + Guid.NewGuid().ToString("N")[..8]);

    public int Port => _sshd?.Port ?? throw new InvalidOperationException("the SSH fleet has not started");

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

    public string SshdLog => _sshd?.Log ?? "";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Root);
        Directory.CreateDirectory(BinPath);
        foreach (var file in new[] { "app.js", "restart-app.sh" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, "Fleet", "app", file), Path.Combine(BinPath, file));
        }

        var addresses = Enumerable.Range(0, 4).Select(i => $"127.0.0.{i + 2}").ToList();
        _sshd = await FleetSshd.StartAsync(Root, addresses, CancellationToken.None);
        Hosts = addresses.Select((address, i) => new SshHost($"web{i + 1}", address, User, Port)).ToList();

        var otherKey = Path.Combine(Root, "other_host_ed25519_key");
        foreach (var key in new[] { otherKey, WrongClientKeyPath })
        {
            await RunAsync("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gantry-test", "-f", key);
        }

        HostPublicKey = PublicKeyOf(_sshd.HostKeyPath);
        OtherHostPublicKey = PublicKeyOf(otherKey);
        HostKeyFingerprint = await FingerprintAsync(_sshd.HostKeyPath);
        OtherHostKeyFingerprint = await FingerprintAsync(otherKey);
        await CreateOriginAsync();
    }

    public async Task DisposeAsync()
    {
        foreach (var pidFile in _pidFiles)
        {
            FleetCommand.KillByPidFile(pidFile);
        }

        if (_sshd is not null)
        {
            await _sshd.DisposeAsync();
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
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
            var port = FleetCommand.FreePort(host.Address);
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

    public static Task<string> RunAsync(string file, params string[] args) => FleetCommand.RunAsync(file, args);

    private static string PublicKeyOf(string key)
    {
        var fields = File.ReadAllText(key + ".pub").Trim().Split(' ');
        return $"{fields[0]} {fields[1]}";
    }

    private static async Task<string> FingerprintAsync(string key) =>
        (await RunAsync("ssh-keygen", "-l", "-E", "sha256", "-f", key + ".pub")).Split(' ')[1];

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
    /// <remarks>Waits (up to a minute) for an app that a rollback without a health check has just restarted.</remarks>
    public static Task<string> ServedAsync(SiteHost host) =>
        Eventually.ValueAsync(
            async () =>
            {
                try
                {
                    return (await Http.GetStringAsync(host.Url)).Trim();
                }
                catch (HttpRequestException)
                {
                    return null;
                }
            },
            $"{host.Name}'s app answers on {host.Url}",
            TimeSpan.FromMinutes(1));

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
