using System.Text.RegularExpressions;

namespace Gantry.Providers.Git;

/// <summary>
/// Hides credentials before text leaves the provider (exception messages, log lines): the
/// user-info part of every URL (<c>https://user:token@host</c> becomes <c>https://***@host</c>)
/// and any configured secret value.
/// </summary>
internal sealed partial class SecretMasker
{
    private readonly string[] _secrets;

    public SecretMasker(IEnumerable<string>? secrets = null)
    {
        // Longest first, so a secret containing another one is masked whole.
        _secrets = (secrets ?? []).Where(s => !string.IsNullOrEmpty(s)).Distinct().OrderByDescending(s => s.Length).ToArray();
    }

    public static SecretMasker None { get; } = new();

    public string Mask(string text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text;
        }

        var masked = UrlUserInfo().Replace(text, "${scheme}***@");
        foreach (var secret in _secrets)
        {
            masked = masked.Replace(secret, "***", StringComparison.Ordinal);
        }

        return masked;
    }

    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)[^/@\s'""]+@")]
    private static partial Regex UrlUserInfo();
}
