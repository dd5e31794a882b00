using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Gantry.Providers.Ssh;

/// <summary>
/// An OpenSSH <c>known_hosts</c> file: plain and hashed (<c>|1|salt|hash</c>) host patterns,
/// <c>[host]:port</c> entries for ports other than 22, wildcards, negations and <c>@revoked</c>.
/// </summary>
internal sealed class KnownHosts
{
    private readonly List<Entry> _entries;

    private KnownHosts(string path, List<Entry> entries)
    {
        Path = path;
        _entries = entries;
    }

    public string Path { get; }

    public static KnownHosts Load(string path)
    {
        var entries = new List<Entry>();
        if (!File.Exists(path))
        {
            return new KnownHosts(path, entries);
        }

        var lineNumber = 0;
        foreach (var raw in File.ReadAllLines(path))
        {
            lineNumber++;
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            var marker = fields[0].StartsWith('@') ? fields[0] : null;
            var first = marker is null ? 0 : 1;
            if (fields.Length < first + 3 || marker is "@cert-authority")
            {
                continue;
            }

            byte[] blob;
            try
            {
                blob = Convert.FromBase64String(fields[first + 2]);
            }
            catch (FormatException)
            {
                continue;
            }

            entries.Add(new Entry(lineNumber, marker == "@revoked", fields[first], fields[first + 1], blob));
        }

        return new KnownHosts(path, entries);
    }

    /// <summary>The name OpenSSH looks up: <c>host</c> on port 22, <c>[host]:port</c> otherwise.</summary>
    public static string LookupName(string address, int port) => port == 22 ? address : $"[{address}]:{port}";

    /// <summary>Key types known for the host, so the key exchange asks for one of them first, as OpenSSH does.</summary>
    public IReadOnlySet<string> KnownKeyTypes(string address, int port)
    {
        var name = LookupName(address, port);
        return _entries.Where(e => !e.Revoked && e.Matches(name)).Select(e => e.KeyType).ToHashSet(StringComparer.Ordinal);
    }

    public Verdict Check(string address, int port, byte[] offeredKey)
    {
        var name = LookupName(address, port);
        var keyType = KeyTypeOf(offeredKey);
        var matching = _entries.Where(e => e.Matches(name)).ToList();
        if (matching.Any(e => e.Revoked && e.Key.AsSpan().SequenceEqual(offeredKey)))
        {
            return new Verdict(HostKeyProblem.Revoked, null);
        }

        if (matching.Any(e => !e.Revoked && e.Key.AsSpan().SequenceEqual(offeredKey)))
        {
            return new Verdict(null, null);
        }

        var sameType = matching.FirstOrDefault(e => !e.Revoked && e.KeyType == keyType);
        return sameType is null
            ? new Verdict(HostKeyProblem.Unknown, null)
            : new Verdict(HostKeyProblem.Changed, sameType);
    }

    /// <summary><c>SHA256:base64</c> without padding, like <c>ssh-keygen -l</c>.</summary>
    public static string Fingerprint(byte[] key) => "SHA256:" + Convert.ToBase64String(SHA256.HashData(key)).TrimEnd('=');

    /// <summary>The key type is the first string of the SSH public key blob.</summary>
    public static string KeyTypeOf(byte[] blob)
    {
        if (blob.Length < 4)
        {
            return "unknown";
        }

        var length = BinaryPrimitives.ReadInt32BigEndian(blob);
        return length > 0 && length <= blob.Length - 4 ? Encoding.ASCII.GetString(blob, 4, length) : "unknown";
    }

    public sealed record Verdict(HostKeyProblem? Problem, Entry? Expected);

    public sealed class Entry(int line, bool revoked, string patterns, string keyType, byte[] key)
    {
        public int Line { get; } = line;

        public bool Revoked { get; } = revoked;

        public string KeyType { get; } = keyType;

        public byte[] Key { get; } = key;

        public string Fingerprint => KnownHosts.Fingerprint(Key);

        public bool Matches(string lookupName)
        {
            if (patterns.StartsWith("|1|", StringComparison.Ordinal))
            {
                return HashedMatches(patterns, lookupName);
            }

            var matched = false;
            foreach (var pattern in patterns.Split(','))
            {
                var negated = pattern.StartsWith('!');
                var glob = negated ? pattern[1..] : pattern;
                if (Glob(glob, lookupName))
                {
                    if (negated)
                    {
                        return false;
                    }

                    matched = true;
                }
            }

            return matched;
        }

        private static bool HashedMatches(string field, string lookupName)
        {
            var parts = field.Split('|');
            if (parts.Length != 4)
            {
                return false;
            }

            try
            {
                var salt = Convert.FromBase64String(parts[2]);
                var expected = Convert.FromBase64String(parts[3]);
#pragma warning disable CA5350 // OpenSSH's hashed known_hosts format is defined as HMAC-SHA1; this is matching, not protection.
                var actual = HMACSHA1.HashData(salt, Encoding.UTF8.GetBytes(lookupName));
#pragma warning restore CA5350
                return CryptographicOperations.FixedTimeEquals(actual, expected);
            }
            catch (FormatException)
            {
                return false;
            }
        }

        private static bool Glob(string pattern, string text)
        {
            // Case-insensitive like OpenSSH host names; '*' any run, '?' one character.
            int p = 0, t = 0, star = -1, mark = 0;
            while (t < text.Length)
            {
                if (p < pattern.Length && (pattern[p] == '?' || char.ToLowerInvariant(pattern[p]) == char.ToLowerInvariant(text[t])))
                {
                    p++;
                    t++;
                }
                else if (p < pattern.Length && pattern[p] == '*')
                {
                    star = p++;
                    mark = t;
                }
                else if (star >= 0)
                {
                    p = star + 1;
                    t = ++mark;
                }
                else
                {
                    return false;
                }
            }

            while (p < pattern.Length && pattern[p] == '*')
            {
                p++;
            }

            return p == pattern.Length;
        }
    }
}
