using System.Text.Json;
using System.Text.Json.Serialization;
using Gantry.Engine.Runtime;

namespace Gantry.Engine.Stores;

/// <summary>How durable stores write journal events, inputs and definition maps as JSON: snake_case, plain values.</summary>
public static class StoreJson
{
    /// <summary>The serializer options every durable store uses.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>An event without its sequence (the store keeps that in its own column).</summary>
    public static string SerializeEvent(JournalEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return JsonSerializer.Serialize(e with { Sequence = 0 }, Options);
    }

    public static JournalEvent DeserializeEvent(string json, long sequence) =>
        (JsonSerializer.Deserialize<JournalEvent>(json, Options) ?? throw new JsonException("A journal event was stored as JSON null.")) with
        {
            Sequence = sequence,
        };

    public static string SerializeInputs(IReadOnlyDictionary<string, object?> inputs) => JsonSerializer.Serialize(inputs, Options);

    public static Dictionary<string, object?> DeserializeInputs(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, object?>>(json, Options) ?? [];

    public static string SerializeDefinitions(IReadOnlyDictionary<string, string> definitions) => JsonSerializer.Serialize(definitions, Options);

    public static Dictionary<string, string> DeserializeDefinitions(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, string>>(json, Options) ?? [];

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DictionaryKeyPolicy = null,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            WriteIndented = false,
        };
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        options.Converters.Add(new PlainValueConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
