using System.Collections;
using Scriban.Runtime;

namespace Gantry.Engine.Expressions;

/// <summary>Converts plain values to Scriban's objects and back.</summary>
internal static class ScriptValues
{
    public static object? ToScript(object? value) => value switch
    {
        null or string or bool or long or double => value,
        int i => (long)i,
        ScriptObject or ScriptArray => value,
        IDictionary dictionary => ToScriptObject(dictionary),
        IEnumerable items => new ScriptArray(items.Cast<object?>().Select(ToScript)),
        _ => value.ToString(),
    };

    public static object? FromScript(object? value) => value switch
    {
        null or string or bool or long or double => value,
        int i => (long)i,
        float f => (double)f,
        decimal d => (double)d,
        ScriptObject obj => obj.ToDictionary(kv => kv.Key, kv => FromScript(kv.Value), StringComparer.Ordinal),
        ScriptArray array => array.Select(FromScript).ToList(),
        IEnumerable<object?> items when value is not string => items.Select(FromScript).ToList(),
        _ => value.ToString(),
    };

    private static ScriptObject ToScriptObject(IDictionary dictionary)
    {
        var obj = new ScriptObject();
        foreach (DictionaryEntry entry in dictionary)
        {
            obj[entry.Key.ToString()!] = ToScript(entry.Value);
        }

        return obj;
    }
}
