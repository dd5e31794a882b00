using System.Data.Common;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Stores;

/// <summary>Reads runs and definition versions from rows selected with the column lists below, in either database.</summary>
internal static class StoreRows
{
    public const string RunColumns =
        "id, workflow_id, workflow_version, definitions, environment_id, environment_text, environment_path, inputs, "
        + "status, concurrency_key, trigger_source, started_by, created_at, updated_at, message, lease_owner, lease_expires_at";

    /// <summary>How many columns <see cref="RunColumns"/> names: the ordinal of a column selected after them.</summary>
    public const int RunColumnCount = 17;

    public const string VersionColumns = "definition_id, version, text, content_hash, author, comment, state, created_at, published_at";

    public static RunRecord ReadRun(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time) => new()
    {
        Id = r.GetString(0),
        WorkflowId = r.GetString(1),
        WorkflowVersion = r.IsDBNull(2) ? null : Convert.ToInt32(r.GetValue(2), System.Globalization.CultureInfo.InvariantCulture),
        Definitions = StoreJson.DeserializeDefinitions(r.GetString(3)),
        EnvironmentId = NullableString(r, 4),
        EnvironmentText = NullableString(r, 5),
        EnvironmentPath = NullableString(r, 6),
        Inputs = StoreJson.DeserializeInputs(r.GetString(7)),
        Status = StoreText.ParseStatus(r.GetString(8)),
        ConcurrencyKey = NullableString(r, 9),
        Trigger = r.GetString(10),
        StartedBy = NullableString(r, 11),
        CreatedAt = time(r, 12),
        UpdatedAt = time(r, 13),
        Message = NullableString(r, 14),
        LeaseOwner = NullableString(r, 15),
        LeaseExpiresAt = r.IsDBNull(16) ? null : time(r, 16),
    };

    /// <summary>A run selected with <see cref="RunColumns"/> followed by its lease generation, claimed by <paramref name="nodeId"/>.</summary>
    public static ClaimedRun ReadClaim(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time, string nodeId)
    {
        var run = ReadRun(r, time);
        return new ClaimedRun(run, new RunLease(run.Id, nodeId, r.GetInt64(RunColumnCount)));
    }

    public static DefinitionVersion ReadVersion(DbDataReader r, Func<DbDataReader, int, DateTimeOffset> time) => new()
    {
        Id = r.GetString(0),
        Version = Convert.ToInt32(r.GetValue(1), System.Globalization.CultureInfo.InvariantCulture),
        Text = r.GetString(2),
        ContentHash = r.GetString(3),
        Author = NullableString(r, 4),
        Comment = NullableString(r, 5),
        State = StoreText.ParseState(r.GetString(6)),
        CreatedAt = time(r, 7),
        PublishedAt = r.IsDBNull(8) ? null : time(r, 8),
    };

    public static async Task<List<T>> ReadAllAsync<T>(DbCommand command, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            list.Add(read(reader));
        }

        return list;
    }

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
