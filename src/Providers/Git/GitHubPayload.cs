using System.Text.Json;

namespace Gantry.Providers.Git;

/// <summary>Reads fields of a GitHub webhook payload without throwing on an unexpected shape.</summary>
internal static class GitHubPayload
{
    /// <summary>The string at <paramref name="property"/> of an object, or null (not an object, no such field, not a string).</summary>
    public static string? Text(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    /// <summary>The object at <paramref name="property"/>, or null.</summary>
    public static JsonElement? Object(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object
            ? value
            : null;
}
