using System.Security.Cryptography;
using System.Text;

namespace Gantry.Server.Security;

/// <summary>GitHub's webhook signature: <c>X-Hub-Signature-256: sha256=HEX(HMAC-SHA256(secret, body))</c>.</summary>
public static class GitHubSignature
{
    public const string Header = "X-Hub-Signature-256";

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>True when <paramref name="signature"/> is the body's signature; compared in constant time.</summary>
    public static bool Verify(string secret, ReadOnlySpan<byte> body, string? signature)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, body));
        var given = Encoding.ASCII.GetBytes(signature.Trim().ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}
