using System.Data.Common;
using Npgsql;
using NpgsqlTypes;

namespace Gantry.Engine.Stores;

/// <summary>A pooled PostgreSQL data source shared by the PostgreSQL stores of one process.</summary>
public sealed class PostgresDatabase : IAsyncDisposable, IDisposable
{
    /// <summary>Connects with a keyword connection string (<c>Host=…;Database=…</c>).</summary>
    public PostgresDatabase(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        DataSource = NpgsqlDataSource.Create(WithPoolDefaults(connectionString));
    }

    /// <summary>
    /// Two pool settings Gantry's own traffic wants, each applied only when the connection string does
    /// not set it. Auto-prepare: the stores send the same few statements all day (append, status update,
    /// fence check), so Npgsql prepares a statement on a pooled connection after its second use and later
    /// ones skip parsing and planning. No reset on close: by default every connection returned to the pool
    /// is reset with seven statements sent before its next use (<c>SET SESSION AUTHORIZATION DEFAULT</c>,
    /// <c>RESET ALL</c>, <c>pg_advisory_unlock_all()</c>, …; a run's execution opens about fifteen); the stores
    /// leave no session state behind (no <c>SET</c>, no <c>LISTEN</c>, only transaction-scoped advisory locks),
    /// so there is nothing to reset.
    /// </summary>
    internal static string WithPoolDefaults(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0 && !Mentions(connectionString, "Auto Prepare", "AutoPrepare"))
        {
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }

        if (!Mentions(connectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        return builder.ConnectionString;
    }

    private static bool Mentions(string connectionString, params string[] keys) =>
        keys.Any(key => connectionString.Contains(key, StringComparison.OrdinalIgnoreCase));

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => DataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();

    internal static DateTimeOffset Time(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) =>
        new(sql, connection, transaction);

    internal static void Add(NpgsqlCommand command, string name, object? value) =>
        command.Parameters.AddWithValue(name, value switch
        {
            null => DBNull.Value,
            DateTimeOffset t => t.ToUniversalTime(),
            _ => value,
        });

    internal static void AddJson(NpgsqlCommand command, string name, string json) =>
        command.Parameters.Add(new NpgsqlParameter(name, NpgsqlDbType.Json) { Value = json });
}
