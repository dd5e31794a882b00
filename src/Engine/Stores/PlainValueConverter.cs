using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gantry.Engine.Stores;

/// <summary>
/// Reads JSON into plain values only: string, long, double, bool, null, <see cref="List{T}"/> of object
/// and <see cref="Dictionary{TKey, TValue}"/> of string to object, never <see cref="JsonElement"/>.
/// Writes a double so that it reads back as a double (1.0 stays 1.0, not the integer 1).
/// </summary>
public sealed class PlainValueConverter : JsonConverter<object?>
{
    public override bool HandleNull => true;

    public override object? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => ReadValue(ref reader);

    public override void Write(Utf8JsonWriter writer, object? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);

        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string s:
                writer.WriteStringValue(s);
                break;
            case bool b:
                writer.WriteBooleanValue(b);
                break;
            case double d:
                WriteDouble(writer, d);
                break;
            case float f:
                WriteDouble(writer, f);
                break;
            case decimal m:
                WriteDouble(writer, (double)m);
                break;
            case long or int or short or byte or sbyte or ushort or uint:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong u:
                writer.WriteNumberValue(u);
                break;
            case JsonElement element:
                element.WriteTo(writer);
                break;
            case DateTimeOffset or DateTime or Guid or TimeSpan or Enum:
                writer.WriteStringValue(
                    Convert.ToString(
                        value is DateTimeOffset dto ? dto.ToString("O", CultureInfo.InvariantCulture) : value,
                        CultureInfo.InvariantCulture));
                break;
            default:
                if (value.GetType() == typeof(object))
                {
                    writer.WriteStartObject();
                    writer.WriteEndObject();
                }
                else
                {
                    JsonSerializer.Serialize(writer, value, value.GetType(), options);
                }

                break;
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double d)
    {
        if (!double.IsFinite(d))
        {
            // JSON has no NaN or infinity; keep the value readable rather than failing the append.
            writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture));
            return;
        }

        var text = d.ToString("R", CultureInfo.InvariantCulture);
        if (text.IndexOfAny(['.', 'E', 'e']) < 0)
        {
            text += ".0";
        }

        writer.WriteRawValue(text, skipInputValidation: true);
    }

    private static object? ReadValue(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return null;
            case JsonTokenType.True:
                return true;
            case JsonTokenType.False:
                return false;
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.Number:
                return ReadNumber(ref reader);
            case JsonTokenType.StartArray:
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(ReadValue(ref reader));
                }

                return list;
            case JsonTokenType.StartObject:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var name = reader.GetString()!;
                    reader.Read();
                    map[name] = ReadValue(ref reader);
                }

                return map;
            default:
                throw new JsonException($"Unexpected JSON token {reader.TokenType} where a value was expected.");
        }
    }

    private static object ReadNumber(ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan.ToArray();
        var isInteger = Array.IndexOf(raw, (byte)'.') < 0 && Array.IndexOf(raw, (byte)'e') < 0 && Array.IndexOf(raw, (byte)'E') < 0;
        // Box each branch on its own: a conditional of long and double would be a double.
        return isInteger && reader.TryGetInt64(out var l) ? (object)l : (object)reader.GetDouble();
    }
}
