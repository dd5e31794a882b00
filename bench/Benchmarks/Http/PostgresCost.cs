using System.Globalization;
using Gantry.Testing.Fleet;
using Npgsql;

namespace Gantry.Benchmarks.Http;

/// <summary>
/// What a burst cost the PostgreSQL server: the CPU of the postmaster and its backends (from /proc),
/// and with <c>--pg-statements</c> the statements that took its time (<c>pg_stat_statements</c>).
/// </summary>
internal sealed class PostgresCost(PostgresFixture server, string database, bool statements)
{
    private TimeSpan _cpuAtStart;

    public async Task StartAsync()
    {
        if (statements)
        {
            await ExecuteAsync("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset();", print: false);
        }

        _cpuAtStart = ServerCpu();
    }

    public async Task ReportAsync(int requests)
    {
        Console.WriteLine($"  PostgreSQL server CPU {(ServerCpu() - _cpuAtStart).TotalMilliseconds / requests:F2} ms/start");
        if (statements)
        {
            Console.WriteLine("    calls | total ms | mean ms | rows | statement");
            await ExecuteAsync(
                "SELECT calls, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric, 3), rows, "
                + "left(regexp_replace(query, '\\s+', ' ', 'g'), 140) FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 25",
                print: true);
            // HOT updates change no index; every other update of a run row adds an entry to each of its indexes.
            Console.WriteLine("    table | inserted | updated | of them HOT");
            await ExecuteAsync(
                "SELECT relname, n_tup_ins, n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname IN ('runs', 'journal') ORDER BY relname",
                print: true);
        }
    }

    // The postmaster and every process it started (backends, WAL writer, checkpointer).
    private TimeSpan ServerCpu()
    {
        var postmaster = server.ServerProcessId;
        long ticks = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(folder), out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(folder, "stat"));
            }
            catch (IOException)
            {
                continue; // the process ended while this read the list
            }

            // Fields after "(comm) ": state ppid ... utime (14th field overall) stime (15th).
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (pid == postmaster || int.Parse(fields[1], CultureInfo.InvariantCulture) == postmaster)
            {
                ticks += long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            }
        }

        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    private async Task ExecuteAsync(string sql, bool print)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        do
        {
            while (print && await reader.ReadAsync())
            {
                Console.WriteLine("    " + string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(reader.GetValue)));
            }
        }
        while (await reader.NextResultAsync());
    }
}
