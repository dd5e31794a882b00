using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Server.Security;

/// <summary>A stored token: who it is for, its role, and the SHA-256 of its value (the value itself is never kept).</summary>
public sealed record TokenEntry(string Name, TokenRole Role, string Sha256, DateTimeOffset CreatedAt);

/// <summary>
/// Bearer tokens in a JSON file in the data folder (<c>tokens.json</c>), holding only hashes. The
/// server rereads the file when it changes, so <c>gantry tokens create</c> works while it runs.
/// </summary>
public sealed class TokenStore(string path)
{
    /// <summary>The file name in the data folder.</summary>
    public const string FileName = "tokens.json";

    private const string Prefix = "gantry_";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true, Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };
    private readonly Lock _gate = new();
    private (DateTime Stamp, IReadOnlyList<TokenEntry> Entries) _cache = (DateTime.MinValue, []);

    public string Path { get; } = System.IO.Path.GetFullPath(path);

    /// <summary>Makes a token, stores its hash and returns the value: the only time it is seen.</summary>
    public string Create(string name, TokenRole role, TimeProvider time)
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

            entries.Add(new TokenEntry(name, role, Hash(value), time.GetUtcNow()));
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            var temp = Path + ".tmp";
            File.WriteAllText(temp, JsonSerializer.Serialize(entries, Json));
            File.Move(temp, Path, overwrite: true);
        }

        return value;
    }

    /// <summary>Every stored token (names, roles and hashes).</summary>
    public IReadOnlyList<TokenEntry> List()
    {
        lock (_gate)
        {
            return Read();
        }
    }

    /// <summary>The entry whose hash matches <paramref name="token"/>, compared in constant time; null when none does.</summary>
    public TokenEntry? Find(string token)
    {
        var hash = Encoding.ASCII.GetBytes(Hash(token));
        TokenEntry? found = null;
        foreach (var entry in List())
        {
            if (CryptographicOperations.FixedTimeEquals(hash, Encoding.ASCII.GetBytes(entry.Sha256)))
            {
                found = entry;
            }
        }

        return found;
    }

    internal static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private IReadOnlyList<TokenEntry> Read()
    {
        if (!File.Exists(Path))
        {
            return [];
        }

        var stamp = File.GetLastWriteTimeUtc(Path);
        if (stamp != _cache.Stamp)
        {
            _cache = (stamp, JsonSerializer.Deserialize<List<TokenEntry>>(File.ReadAllText(Path), Json) ?? []);
        }

        return _cache.Entries;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
