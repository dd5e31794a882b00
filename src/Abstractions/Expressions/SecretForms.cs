using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Gantry.Engine.Expressions;

/// <summary>
/// The forms a secret takes in what tools print, so <see cref="SecretMasker"/> masks each: as it is, URL-encoded (RFC 3986,
/// JavaScript's <c>encodeURIComponent</c>, HTML forms), JSON-escaped (minimal, and System.Text.Json's default), inside
/// single quotes in a POSIX shell command, and base64. Templates never transform a secret (see
/// <c>TemplateRenderer.RenderSensitive</c>), but the programs a step runs do: <c>curl -v</c> prints an
/// <c>Authorization: Basic</c> header, a health endpoint echoes its query string, a script logs its JSON.
/// </summary>
internal static class SecretForms
{
    /// <summary>Fewer whole bytes than this are not masked inside a longer base64 text: 8 characters, never a false match.</summary>
    private const int MinimumBase64Bytes = 6;

    public static IEnumerable<string> Of(string value)
    {
        yield return value;
        var rfc3986 = Uri.EscapeDataString(value);
        yield return rfc3986;
        yield return EncodeUriComponent(rfc3986);
        yield return WebUtility.UrlEncode(value);
        // As most encoders write a JSON string (JavaScript, Python without ensure_ascii): " \ and control characters escaped;
        // then System.Text.Json's default, which also escapes ' + < > & and non-ASCII.
        yield return JsonEncodedText.Encode(value, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).ToString();
        yield return JsonEncodedText.Encode(value).ToString();
        yield return value.Replace("'", "'\\''", StringComparison.Ordinal);
        foreach (var base64 in Base64(Encoding.UTF8.GetBytes(value)))
        {
            yield return base64;
        }
    }

    /// <summary>
    /// The whole value's base64, and the part of it that is the same wherever the value sits in a longer base64 text (an
    /// HTTP Basic header encodes <c>user:secret</c>): base64 encodes 3 bytes at a time, so only the value's whole 3-byte
    /// groups, starting 0, 1 or 2 bytes in, encode alike whatever surrounds them. At most 2 bytes at each end stay visible.
    /// </summary>
    private static IEnumerable<string> Base64(byte[] bytes)
    {
        yield return Convert.ToBase64String(bytes);
        for (var skip = 0; skip < 3; skip++)
        {
            var whole = (bytes.Length - skip) / 3 * 3;
            if (whole >= MinimumBase64Bytes)
            {
                yield return Convert.ToBase64String(bytes, skip, whole);
            }
        }
    }

    /// <summary>JavaScript's <c>encodeURIComponent</c>: RFC 3986 but <c>! ' ( ) *</c> left as they are.</summary>
    private static string EncodeUriComponent(string rfc3986) => rfc3986
        .Replace("%21", "!", StringComparison.Ordinal)
        .Replace("%27", "'", StringComparison.Ordinal)
        .Replace("%28", "(", StringComparison.Ordinal)
        .Replace("%29", ")", StringComparison.Ordinal)
        .Replace("%2A", "*", StringComparison.Ordinal);
}
