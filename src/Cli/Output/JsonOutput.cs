using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Cli.Output;

/// <summary>How every <c>--output json</c> is written: indented, snake_case properties; <see cref="Lines"/> for streams.</summary>
internal static class JsonOutput
{
    public static readonly JsonSerializerOptions Options = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>The same, one object per line (streams of journal events).</summary>
    public static readonly JsonSerializerOptions Lines = new(Options) { WriteIndented = false };
}
