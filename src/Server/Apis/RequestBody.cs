using System.Text;
using Gantry.Engine.Documents;
using Gantry.Engine.Schema;

namespace Gantry.Server.Apis;

/// <summary>Reads request bodies the API takes as text (definitions, signal and trigger payloads).</summary>
internal static class RequestBody
{
    public static async Task<string> ReadTextAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A JSON (or YAML) body as plain values; null for an empty body. Throws <see cref="DocumentSyntaxException"/> when it does not
    /// parse.</summary>
    public static object? ParsePlain(string text, string what) =>
        string.IsNullOrWhiteSpace(text) ? null : PlainValue.FromDoc(DocumentReader.Parse(text, what));

    public static bool IsYaml(string? contentType) =>
        contentType is not null
        && (
            contentType.Contains("yaml", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase));

    public static bool WantsYaml(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("yaml", StringComparison.OrdinalIgnoreCase));
}
