using System.Collections;
using System.Globalization;
using Gantry.Engine.Documents;

namespace Gantry.Engine.Schema;

/// <summary>
/// Plain values (string, long, double, bool, null, lists, string-keyed dictionaries) are what
/// templates produce and what journals store; these convert them to and from <see cref="DocNode"/>.
/// </summary>
public static class PlainValue
{
    public static object? FromDoc(DocNode node) => node switch
    {
        DocScalar scalar => scalar.ToPlainValue(),
        DocSequence sequence => sequence.Items.Select(FromDoc).ToList(),
        DocMapping mapping => mapping.Entries.ToDictionary(e => e.Key, e => FromDoc(e.Value), StringComparer.Ordinal),
        _ => null,
    };

    public static DocNode ToDoc(object? value, SourceLocation location) => value switch
    {
        null => new DocScalar(null, ScalarKind.Null, location),
        DocNode node => node,
        string s => new DocScalar(s, ScalarKind.String, location),
        bool b => new DocScalar(b ? "true" : "false", ScalarKind.Boolean, location),
        int or long or short or byte => new DocScalar(Convert.ToString(value, CultureInfo.InvariantCulture), ScalarKind.Integer, location),
        double or float or decimal => new DocScalar(Convert.ToString(value, CultureInfo.InvariantCulture), ScalarKind.Number, location),
        TimeSpan t => new DocScalar(Duration.Format(t), ScalarKind.String, location),
        Enum e => new DocScalar(Naming.Kebab(e.ToString()), ScalarKind.String, location),
        IDictionary dictionary => new DocMapping(
            dictionary.Keys.Cast<object>().Select(k => new DocEntry(k.ToString()!, location, ToDoc(dictionary[k], location))).ToList(), location),
        IEnumerable items => new DocSequence(items.Cast<object?>().Select(i => ToDoc(i, location)).ToList(), location),
        _ => FromObject(value, location),
    };

    /// <summary>A typed object (an activity's outputs) as a plain dictionary, using the same snake_case names as documents.</summary>
    public static object? FromTyped(object? value)
    {
        if (value is null or string or bool or int or long or double or float or decimal)
        {
            return value is int i ? (long)i : value;
        }

        return Plain(value);
    }

    /// <summary>
    /// What <c>FromDoc(ToDoc(value))</c> gives, without building the document nodes in between: every
    /// step's outputs pass through here, and the round trip through documents was most of its cost.
    /// </summary>
    private static object? Plain(object? value) => value switch
    {
        null => null,
        DocNode node => FromDoc(node),
        string s => s,
        bool b => b,
        int or long or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture),
        double d => d,

        // Through text, as a document would carry them (0.1f is 0.1, not 0.100000001490116).
        float or decimal => double.Parse(Convert.ToString(value, CultureInfo.InvariantCulture)!, NumberStyles.Float, CultureInfo.InvariantCulture),
        TimeSpan t => Duration.Format(t),
        Enum e => Naming.Kebab(e.ToString()),
        IDictionary dictionary => PlainMap(dictionary),
        IEnumerable items => items.Cast<object?>().Select(Plain).ToList(),
        _ => PlainObject(value),
    };

    private static Dictionary<string, object?> PlainMap(IDictionary dictionary)
    {
        var map = new Dictionary<string, object?>(dictionary.Count, StringComparer.Ordinal);
        foreach (DictionaryEntry entry in dictionary)
        {
            map.Add(entry.Key.ToString()!, Plain(entry.Value));
        }

        return map;
    }

    private static object? PlainObject(object value)
    {
        if (TypeShape.Of(value.GetType()) is not ObjectShape shape)
        {
            return value.ToString();
        }

        var map = new Dictionary<string, object?>(shape.Properties.Count, StringComparer.Ordinal);
        foreach (var property in shape.Properties)
        {
            map.Add(property.Name, Plain(property.Property.GetValue(value)));
        }

        return map;
    }

    private static DocNode FromObject(object value, SourceLocation location)
    {
        if (TypeShape.Of(value.GetType()) is not ObjectShape shape)
        {
            return new DocScalar(value.ToString(), ScalarKind.String, location);
        }

        return new DocMapping(
            shape.Properties.Select(p => new DocEntry(p.Name, location, ToDoc(p.Property.GetValue(value), location))).ToList(), location);
    }
}
