using System.Text.Json;

namespace Gantry.Engine.Stores;

/// <summary>
/// Before store migration 5 each node kept its safety state in files of its data folder:
/// <c>quarantine/&lt;environment&gt;.json</c> and <c>tokens.json</c>. The first process that opens the store
/// from that data folder imports them once into the store (entries the store already has are kept as they
/// are) and renames each file to <c>*.imported</c>, so nothing reads a stale copy afterwards.
/// </summary>
public static class LegacySafetyFiles
{
    /// <summary>The suffix an imported file gets.</summary>
    public const string ImportedSuffix = ".imported";

    private static readonly JsonSerializerOptions QuarantineJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private static readonly JsonSerializerOptions TokensJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Opens the store for <paramref name="db"/> (see <see cref="RunStoreFactory.OpenAsync"/>) and imports the
    /// safety files of <paramref name="dataDirectory"/> into it; <paramref name="report"/> hears each import.
    /// </summary>
    public static async Task<StoreSet> OpenStoreAsync(
        string? db,
        string root,
        string dataDirectory,
        TimeProvider time,
        Action<string>? report,
        CancellationToken cancellationToken)
    {
        var stores = await RunStoreFactory.OpenAsync(db, root, time, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var line in await ImportAsync(stores, dataDirectory, cancellationToken).ConfigureAwait(false))
            {
                report?.Invoke(line);
            }

            return stores;
        }
        catch
        {
            await stores.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Imports the files of <paramref name="dataDirectory"/> that exist; returns one line per file imported.</summary>
    /// <exception cref="InvalidDataException">A file cannot be read; the message names it and what was expected.</exception>
    public static async Task<IReadOnlyList<string>> ImportAsync(StoreSet stores, string dataDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stores);
        var imported = new List<string>();
        var quarantine = Path.Combine(dataDirectory, "quarantine");
        if (Directory.Exists(quarantine))
        {
            foreach (var file in Directory.EnumerateFiles(quarantine, "*.json"))
            {
                var count = await ImportQuarantineAsync(stores.Quarantine, file, Path.GetFileNameWithoutExtension(file), cancellationToken)
                    .ConfigureAwait(false);
                imported.Add(Retire(file, $"{count} quarantined host(s) of {Path.GetFileNameWithoutExtension(file)}"));
            }
        }

        var tokens = Path.Combine(dataDirectory, "tokens.json");
        if (File.Exists(tokens))
        {
            var count = await ImportTokensAsync(stores.Tokens, tokens, cancellationToken).ConfigureAwait(false);
            imported.Add(Retire(tokens, $"{count} token(s)"));
        }

        return imported;
    }

    private static async Task<int> ImportQuarantineAsync(IHostQuarantine store, string file, string environment, CancellationToken cancellationToken)
    {
        var hosts = Read<Dictionary<string, LegacyQuarantinedHost>>(file, QuarantineJson, "an object of host: {reason, run, since}") ?? [];
        var known = (await store.ListAsync(environment, cancellationToken).ConfigureAwait(false))
            .Select(h => h.Host)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var (host, entry) in hosts.Where(h => !known.Contains(h.Key)))
        {
            await store
                .AddAsync(
                    new QuarantinedHost(environment, host, entry.Reason ?? "its state is unknown", entry.Run ?? "unknown", entry.Since),
                    cancellationToken)
                .ConfigureAwait(false);
        }

        return hosts.Count;
    }

    private static async Task<int> ImportTokensAsync(IAccessTokens store, string file, CancellationToken cancellationToken)
    {
        var tokens = Read<List<LegacyToken>>(file, TokensJson, "a list of {name, role, sha256, createdAt, expiresAt}") ?? [];
        foreach (var token in tokens)
        {
            if (string.IsNullOrEmpty(token.Name) || string.IsNullOrEmpty(token.Role) || string.IsNullOrEmpty(token.Sha256))
            {
                throw new InvalidDataException($"{file}: a token without name, role or sha256; fix or delete the entry");
            }

            // A token of the same name already in the store (imported by another node) stays as it is.
            await store
                .AddAsync(
                    new StoredToken(token.Name, token.Role.ToLowerInvariant(), token.Sha256, token.CreatedAt, token.ExpiresAt),
                    cancellationToken)
                .ConfigureAwait(false);
        }

        return tokens.Count;
    }

    private static T? Read<T>(string file, JsonSerializerOptions options, string expected)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(File.ReadAllText(file), options);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException(
                $"{file}:{ex.LineNumber + 1}: cannot be imported into the store: expected {expected} ({ex.Message}); fix or delete it",
                ex);
        }
    }

    private static string Retire(string file, string what)
    {
        try
        {
            File.Move(file, file + ImportedSuffix, overwrite: true);
        }
        catch (FileNotFoundException)
        {
            // Another process on the same data folder imported and renamed it first.
        }

        return $"imported {what} from {file} into the store (the file is now {Path.GetFileName(file)}{ImportedSuffix})";
    }

    private sealed record LegacyQuarantinedHost(string? Reason, string? Run, DateTimeOffset Since);

    private sealed record LegacyToken(string? Name, string? Role, string? Sha256, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);
}
