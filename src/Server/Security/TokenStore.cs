using System.Security.Cryptography;
using System.Text;
using Gantry.Engine.Stores;

namespace Gantry.Server.Security;

/// <summary>A stored token: who it is for, its role, the SHA-256 of its value (the value itself is never kept) and when it stops working (null:
/// never).</summary>
public sealed record TokenEntry(string Name, TokenRole Role, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;
}

/// <summary>
/// Bearer tokens in the store every node shares (table <c>access_tokens</c> of the SQLite workspace or
/// PostgreSQL database), holding only hashes. Every request reads the store, so a token made or revoked
/// through one server or <c>gantry tokens</c> is known or refused by every server on the database from
/// the next request; an expired token is refused.
/// </summary>
public sealed class TokenStore(IAccessTokens tokens, TimeProvider? time = null)
{
    /// <summary>The file tokens were kept in before store migration 5, imported once by <see cref="LegacySafetyFiles"/>.</summary>
    public const string FileName = "tokens.json";

    private const string Prefix = "gantry_";

    /// <summary>Makes a token, stores its hash and returns the value: the only time it is seen.</summary>
    public async Task<string> CreateAsync(string name, TokenRole role, TimeProvider clock, TimeSpan? lifetime, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("a token needs a name (who or what uses it, e.g. ci-bot)", nameof(name));
        }

        var value = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = clock.GetUtcNow();
        var stored = new StoredToken(name, role.ToString().ToLowerInvariant(), Hash(value), now, lifetime is { } l ? now + l : null);
        if (!await tokens.AddAsync(stored, cancellationToken).ConfigureAwait(false))
        {
            throw new ArgumentException($"a token named '{name}' already exists; choose another name", nameof(name));
        }

        return value;
    }

    /// <summary>Removes the token named <paramref name="name"/>; false when there is none. Effective on the next request of every server on the
    /// store.</summary>
    public Task<bool> RevokeAsync(string name, CancellationToken cancellationToken) => tokens.RevokeAsync(name, cancellationToken);

    /// <summary>Every stored token (names, roles and hashes).</summary>
    public async Task<IReadOnlyList<TokenEntry>> ListAsync(CancellationToken cancellationToken) =>
        (await tokens.ListAsync(cancellationToken).ConfigureAwait(false)).Select(Entry).OfType<TokenEntry>().ToList();

    /// <summary>The entry whose hash matches <paramref name="token"/>; null when none does, it has expired, or its role is unknown.</summary>
    /// <remarks>
    /// Looked up by the SHA-256 of the presented value: what a lookup's timing could reveal is about the hash
    /// of a guess, which says nothing about any stored token's value.
    /// </remarks>
    public async Task<TokenEntry?> FindAsync(string token, CancellationToken cancellationToken)
    {
        var stored = await tokens.FindAsync(Hash(token), cancellationToken).ConfigureAwait(false);
        var entry = stored is null ? null : Entry(stored);
        return entry is not null && !entry.IsExpired((time ?? TimeProvider.System).GetUtcNow()) ? entry : null;
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A stored row as an entry; null for a role this build does not know (never granted anything).</summary>
    private static TokenEntry? Entry(StoredToken stored) =>
        Enum.TryParse<TokenRole>(stored.Role, ignoreCase: true, out var role) && !int.TryParse(stored.Role, out _)
            ? new TokenEntry(stored.Name, role, stored.Sha256, stored.CreatedAt, stored.ExpiresAt)
            : null;

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
