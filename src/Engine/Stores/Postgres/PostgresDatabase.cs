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
        DataSource = NpgsqlDataSource.Create(connectionString);
    }

    public NpgsqlDataSource DataSource { get; }

    public ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken) => DataSource.OpenConnectionAsync(cancellationToken);

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();

    public void Dispose() => DataSource.Dispose();

    internal static DateTimeOffset Time(DbDataReader reader, int ordinal) => reader.GetFieldValue<DateTimeOffset>(ordinal);

    internal static NpgsqlCommand Command(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql) => new(sql, connection, transaction);

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
