using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Server.Security;

/// <summary>A stored token: who it is for, its role, the SHA-256 of its value (the value itself is never kept) and when it stops working (null: never).</summary>
public sealed record TokenEntry(string Name, TokenRole Role, string Sha256, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt = null)
{
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expires && now >= expires;
}

/// <summary>
/// Bearer tokens in a JSON file in the data folder (<c>tokens.json</c>, mode 0600), holding only
/// hashes. The server rereads the file when it changes, so <c>gantry tokens create</c> and
/// <c>revoke</c> take effect on the next request while it runs; an expired token is refused.
/// </summary>
public sealed class TokenStore(string path, TimeProvider? time = null)
{
    /// <summary>The file name in the data folder.</summary>
    public const string FileName = "tokens.json";

    private const string Prefix = "gantry_";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };
    private readonly Lock _gate = new();
    private ((DateTime, long) Stamp, IReadOnlyList<TokenEntry> Entries) _cache = ((DateTime.MinValue, -1), []);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Makes a token, stores its hash and returns the value: the only time it is seen.</summary>
    public string Create(string name, TokenRole role, TimeProvider time, TimeSpan? lifetime = null)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("a token needs a name (who or what uses it, e.g. ci-bot)", nameof(name));
        }

        var value = Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));
        lock (_gate)
        {
            var entries = Read().ToList();
            if (entries.Any(e => e.Name == name))
            {
                throw new ArgumentException($"a token named '{name}' already exists; choose another name", nameof(name));
            }

            var now = time.GetUtcNow();
            entries.Add(new TokenEntry(name, role, Hash(value), now, lifetime is { } l ? now + l : null));
            Write(entries);
        }

        return value;
    }

    /// <summary>Removes the token named <paramref name="name"/>; false when there is none. Effective on the next request.</summary>
    public bool Revoke(string name)
    {
        lock (_gate)
        {
            var entries = Read().ToList();
            if (entries.RemoveAll(e => e.Name == name) == 0)
            {
                return false;
            }

            Write(entries);
            return true;
        }
    }

    private void Write(List<TokenEntry> entries)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        Gantry.Engine.Stores.PrivateFiles.WriteAllText(Path, JsonSerializer.Serialize(entries, Json));
    }

    /// <summary>Every stored token (names, roles and hashes).</summary>
    public IReadOnlyList<TokenEntry> List()
    {
        lock (_gate)
        {
            return Read();
        }
    }

    /// <summary>The entry whose hash matches <paramref name="token"/>, compared in constant time; null when none does or it has expired.</summary>
    public TokenEntry? Find(string token)
    {
        var now = (time ?? TimeProvider.System).GetUtcNow();
        var hash = Encoding.ASCII.GetBytes(Hash(token));
        TokenEntry? found = null;
        foreach (var entry in List())
        {
            if (CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(entry.Sha256)))
            {
                found = entry;
            }
        }

        return found is not null && found.IsExpired(now) ? null : found;
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private IReadOnlyList<TokenEntry> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        // Time and size: a revoke within the file system's timestamp granularity still changes the size.
        var info = new FileInfo(Path);
        var stamp = (info.LastWriteTimeUtc, info.Length);
        if (stamp != _cache.Stamp)
        {
            _cache = (stamp, JsonSerializer.Deserialize<List<TokenEntry>>(File.ReadAllText(Path), Json) ?? []);
        }

        return _cache.Entries;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
