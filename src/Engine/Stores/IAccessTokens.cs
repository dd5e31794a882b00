namespace Gantry.Engine.Stores;

/// <summary>A bearer token as stored: who it is for, its role, the SHA-256 of its value (never the value) and when it stops working (null:
/// never).</summary>
public sealed record StoredToken(string Name, string Role, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>
/// The API's bearer tokens, in the store every server node shares: a token made or revoked through one
/// node is known or refused by every other from its next request (each request reads the store).
/// </summary>
public interface IAccessTokens
{
    /// <summary>Stores the token; false (and nothing stored) when a token of that name exists.</summary>
    Task<bool> AddAsync(StoredToken token, CancellationToken cancellationToken);

    /// <summary>Every stored token, by name.</summary>
    Task<IReadOnlyList<StoredToken>> ListAsync(CancellationToken cancellationToken);

    /// <summary>The token whose value hashes to <paramref name="sha256"/>; null when none does.</summary>
    Task<StoredToken?> FindAsync(string sha256, CancellationToken cancellationToken);

    /// <summary>Deletes the token named <paramref name="name"/>; false when there is none.</summary>
    Task<bool> RevokeAsync(string name, CancellationToken cancellationToken);
}
