using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Gantry.Testing.Fleet;

/// <summary>
/// A real PostgreSQL server for the tests: <c>initdb</c> into a temporary folder, started with
/// <c>pg_ctl</c> on a free loopback port, stopped (by the PID in its own postmaster.pid) on
/// dispose. PostgreSQL refuses to run as root, so under root the server runs as the
/// <c>postgres</c> system user (or a <c>gantrypg</c> user created for it). The benchmarks start
/// one <see cref="Durable"/> and <c>await using</c> it.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime, IAsyncDisposable
{
    private const string Superuser = "gantry";
    private const string Database = "gantry_tests";
    private string _root = "";
    private string _dataDir = "";
    private string _binDir = "";
    private string? _runAs;
    private string _admin = "";

    /// <summary>
    /// Keep fsync and synchronous_commit on, so commits cost what they cost in production (the
    /// benchmarks); off by default, since tests only need the data while the server runs.
    /// </summary>
    public bool Durable { get; init; }

    /// <summary>
    /// Loads <c>pg_stat_statements</c> (what each statement cost the server), for a benchmark that
    /// reports where the database's time went. Off by default.
    /// </summary>
    public bool TrackStatements { get; init; }

    /// <summary>The connection string of the shared test database.</summary>
    public string ConnectionString { get; private set; } = "";

    /// <summary>The postmaster's process id (from its postmaster.pid); its backends are its children.</summary>
    public int ServerProcessId =>
        int.Parse(File.ReadLines(Path.Combine(_dataDir, "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How long initdb and start-up took.</summary>
    public TimeSpan StartupTime { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        _binDir = FindBinDir();
        _runAs = Environment.IsPrivilegedProcess ? await ServerUserAsync() : null;
        _root = Directory.CreateTempSubdirectory("gantry-pg-").FullName;
        _dataDir = Path.Combine(_root, "data");
        var socketDir = Path.Combine(_root, "sock");
        Directory.CreateDirectory(socketDir);
        if (_runAs is not null)
        {
            await RunAsync("chown", ["-R", $"{_runAs}:", _root], asServerUser: false);
        }

        await RunAsync(Path.Combine(_binDir, "initdb"), ["-D", _dataDir, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"], asServerUser: true);

        var port = FreePort();
        var options = $"-p {port} -k {socketDir} -c listen_addresses=127.0.0.1 -c max_connections=200"
            + (Durable ? "" : " -c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            + (TrackStatements ? " -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track=all" : "");
        await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", _dataDir, "-o", options, "-l", Path.Combine(_root, "server.log"), "-w", "-t", "60", "start"], asServerUser: true);

        _admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = Superuser, Database = "postgres", Pooling = false }.ConnectionString;
        ConnectionString = await CreateDatabaseAsync(Database);
        StartupTime = clock.Elapsed;
        Console.WriteLine($"PostgreSQL test server ready on 127.0.0.1:{port} in {StartupTime.TotalMilliseconds:F0} ms");
    }

    /// <summary>An empty database of that name; returns its (pooled) connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(_admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Starts a server outside xunit (the benchmarks); dispose it with <c>await using</c>.</summary>
    public static async Task<PostgresFixture> StartAsync(bool durable, bool trackStatements = false)
    {
        var server = new PostgresFixture { Durable = durable, TrackStatements = trackStatements };
        try
        {
            await server.InitializeAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>A fresh schema in the test database; the connection string searches it first, so each test sees empty tables.</summary>
    public async Task<string> CreateSchemaAsync()
    {
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema};", connection);
        await command.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = schema }.ConnectionString;
    }

    /// <summary>Drops a schema made by <see cref="CreateSchemaAsync"/>.</summary>
    public async Task DropSchemaAsync(string connectionString)
    {
        var schema = new NpgsqlConnectionStringBuilder(connectionString).SearchPath;
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE;", connection);
        await command.ExecuteNonQueryAsync();
    }

    ValueTask IAsyncDisposable.DisposeAsync() => new(DisposeAsync());

    /// <summary>Stops the server and deletes its folder; a second call does nothing.</summary>
    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(_dataDir, "postmaster.pid")))
        {
            await RunAsync(Path.Combine(_binDir, "pg_ctl"), ["-D", _dataDir, "-m", "fast", "-w", "stop"], asServerUser: true);
        }

        if (_root.Length > 0 && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string FindBinDir()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .ToList()
            : [];
        if (candidates.Count > 0)
        {
            return candidates[0];
        }

        var fromPgConfig = TryPgConfigBinDir();
        if (fromPgConfig is not null && File.Exists(Path.Combine(fromPgConfig, "initdb")))
        {
            return fromPgConfig;
        }

        throw new InvalidOperationException(
            "PostgreSQL server binaries were not found (no /usr/lib/postgresql/*/bin/initdb, and pg_config --bindir has no initdb). "
            + "Install them with 'apt-get install -y postgresql' to run the PostgreSQL store tests.");
    }

    private static string? TryPgConfigBinDir()
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, UseShellExecute = false });
            var output = process?.StandardOutput.ReadToEnd().Trim();
            process?.WaitForExit();
            return process?.ExitCode == 0 ? output : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>The system user that runs the server when the tests run as root.</summary>
    private static async Task<string> ServerUserAsync()
    {
        foreach (var user in new[] { "postgres", "gantrypg" })
        {
            if (await TryRunAsync("id", ["-u", user]))
            {
                return user;
            }
        }

        await RunProcessAsync("useradd", ["-r", "-M", "-s", "/usr/sbin/nologin", "gantrypg"]);
        return "gantrypg";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private Task RunAsync(string file, IReadOnlyList<string> arguments, bool asServerUser) =>
        asServerUser && _runAs is not null
            ? RunProcessAsync("runuser", ["-u", _runAs, "--", file, .. arguments])
            : RunProcessAsync(file, arguments);

    private static async Task<bool> TryRunAsync(string file, IReadOnlyList<string> arguments)
    {
        var (exitCode, _) = await StartAsync(file, arguments);
        return exitCode == 0;
    }

    private static async Task RunProcessAsync(string file, IReadOnlyList<string> arguments)
    {
        var (exitCode, output) = await StartAsync(file, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited with {exitCode}:\n{output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> StartAsync(string file, IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start '{file}'.");
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
