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
        DataSource = NpgsqlDataSource.Create(WithAutoPrepare(connectionString));
    }

    /// <summary>
    /// The stores send the same few statements all day (append, status update, fence check): Npgsql
    /// prepares a statement on a pooled connection after its second use, so later ones skip parsing
    /// and planning. A connection string that sets <c>Max Auto Prepare</c> itself is left as it is.
    /// </summary>
    internal static string WithAutoPrepare(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0
            && !connectionString.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase)
            && !connectionString.Contains("AutoPrepare", StringComparison.OrdinalIgnoreCase))
        {
            builder.MaxAutoPrepare = 32;
            builder.AutoPrepareMinUsages = 2;
        }

        return builder.ConnectionString;
    }

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
