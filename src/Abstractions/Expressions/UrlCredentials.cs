using System.Text.RegularExpressions;

namespace Gantry.Engine.Expressions;

/// <summary>
/// Hides the user-info part of every URL in a text (<c>https://user:token@host</c> becomes
/// <c>https://***@host</c>): credentials written into a repository or health-check URL are secrets
/// whether or not anyone declared them, so API answers, journals and logs never show them.
/// </summary>
public static partial class UrlCredentials
{
    public static string Strip(string text) =>
        string.IsNullOrEmpty(text) || !text.Contains("://", StringComparison.Ordinal)
            ? text
            : UrlUserInfo().Replace(text, "${scheme}" + SecretMasker.Mask + "@");

    [GeneratedRegex(@"(?<scheme>\b[a-zA-Z][a-zA-Z0-9+.\-]*://)[^/@\s'""]+@")]
    private static partial Regex UrlUserInfo();
}
