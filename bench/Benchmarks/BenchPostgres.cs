using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Gantry.Benchmarks;

/// <summary>
/// A throwaway PostgreSQL cluster (the logic of tests/Engine.Tests/Fixtures/PostgresFixture.cs,
/// trimmed): initdb into a temp folder, pg_ctl start on a free loopback port, pg_ctl stop -m fast.
/// Unlike the test fixture it keeps fsync and synchronous_commit on, so commits cost what they
/// cost in production. Under root the server runs as the <c>postgres</c> user via runuser.
/// </summary>
internal sealed class BenchPostgres : IAsyncDisposable
{
    private const string Superuser = "gantry";
    private readonly string _root;
    private readonly string _dataDir;
    private readonly string _binDir;
    private readonly string? _runAs;
    private readonly string _admin;

    private BenchPostgres(string root, string binDir, string? runAs, string admin)
    {
        _root = root;
        _dataDir = Path.Combine(root, "data");
        _binDir = binDir;
        _runAs = runAs;
        _admin = admin;
    }

    public static async Task<BenchPostgres> StartAsync()
    {
        var binDir = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(d => Path.Combine(d, "bin"))
            .First(d => File.Exists(Path.Combine(d, "initdb")));
        var runAs = Environment.IsPrivilegedProcess ? "postgres" : null;
        var root = Directory.CreateTempSubdirectory("gantry-bench-pg-").FullName;
        var socketDir = Path.Combine(root, "sock");
        Directory.CreateDirectory(socketDir);
        if (runAs is not null)
        {
            await RunAsync("chown", ["-R", $"{runAs}:", root]);
        }

        var port = FreePort();
        var admin = new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = port, Username = Superuser, Database = "postgres", Pooling = false }.ConnectionString;
        var server = new BenchPostgres(root, binDir, runAs, admin);
        await server.RunAsServerAsync("initdb", ["-D", server._dataDir, "-U", Superuser, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
        var options = $"-p {port} -k {socketDir} -c listen_addresses=127.0.0.1 -c max_connections=200";
        await server.RunAsServerAsync("pg_ctl", ["-D", server._dataDir, "-o", options, "-l", Path.Combine(root, "server.log"), "-w", "-t", "60", "start"]);
        return server;
    }

    /// <summary>Creates an empty database and returns its (pooled) connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE {name};", connection);
        await create.ExecuteNonQueryAsync();
        return new NpgsqlConnectionStringBuilder(_admin) { Database = name, Pooling = true }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsServerAsync("pg_ctl", ["-D", _dataDir, "-m", "fast", "-w", "stop"]);
        Directory.Delete(_root, recursive: true);
    }

    private Task RunAsServerAsync(string tool, IReadOnlyList<string> arguments)
    {
        var file = Path.Combine(_binDir, tool);
        return _runAs is null ? RunAsync(file, arguments) : RunAsync("runuser", ["-u", _runAs, "--", file, .. arguments]);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
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
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited with {process.ExitCode}:\n{await stdout}{await stderr}");
        }
    }
}
