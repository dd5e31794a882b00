using System.Collections;
using System.Globalization;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;

namespace Gantry.Engine.Schema;

/// <summary>
/// Binds a <see cref="DocNode"/> to a typed object, reporting every mismatch with its position,
/// field path, what was found and what was expected. Template strings (<c>{{ }}</c>) are only
/// known at run time, so with allowTemplates they pass type checks unread.
/// </summary>
public static class ObjectBinder
{
    public static T? Bind<T>(DocNode node, string path, DiagnosticBag diagnostics, bool allowTemplates = false) =>
        (T?)Bind(node, TypeShape.Of(typeof(T)), path, diagnostics, allowTemplates);

    public static object? Bind(DocNode node, TypeShape shape, string path, DiagnosticBag diagnostics, bool allowTemplates = false)
    {
        ArgumentNullException.ThrowIfNull(diagnostics);

        if (allowTemplates && node is DocScalar { IsTemplate: true } template)
        {
            return shape is ScalarShape { JsonType: "string", Format: null } ? template.Text : null;
        }

        return shape switch
        {
            AnyShape => PlainValue.FromDoc(node),
            ScalarShape scalar => BindScalar(node, scalar, path, diagnostics),
            ListShape list => BindList(node, list, path, diagnostics, allowTemplates),
            MapShape map => BindMap(node, map, path, diagnostics, allowTemplates),
            ObjectShape obj => BindObject(node, obj, path, diagnostics, allowTemplates),
            _ => null,
        };
    }

    private static object? BindScalar(DocNode node, ScalarShape shape, string path, DiagnosticBag diagnostics)
    {
        if (node is not DocScalar scalar)
        {
            diagnostics.Add(node, path, $"expected {shape.Describe()}, found a {Kind(node)}");
            return null;
        }

        if (scalar.Kind == ScalarKind.Null)
        {
            return null;
        }

        var target = Nullable.GetUnderlyingType(shape.ClrType) ?? shape.ClrType;
        var text = scalar.Text ?? "";
        object? value = target switch
        {
            _ when target == typeof(string) => text,
            _ when target == typeof(bool) => scalar.Kind == ScalarKind.Boolean ? scalar.ToPlainValue() : null,
            _ when target == typeof(int) => scalar.Kind == ScalarKind.Integer && int.TryParse(text, CultureInfo.InvariantCulture, out var i)
                ? i
                : null,
            _ when target == typeof(long) => scalar.Kind == ScalarKind.Integer && long.TryParse(text, CultureInfo.InvariantCulture, out var l)
                ? l
                : null,
            _ when target == typeof(double) => scalar.Kind is ScalarKind.Integer or ScalarKind.Number
                ? double.Parse(text, CultureInfo.InvariantCulture)
                : null,
            _ when target == typeof(TimeSpan) => Duration.TryParse(text, out var t) ? t : null,
            _ when target == typeof(Uri) => Uri.TryCreate(text, UriKind.Absolute, out var u) ? u : null,
            _ when target.IsEnum => ParseEnum(target, text),
            _ => null,
        };
        if (value is null)
        {
            var expected = shape.Format == "duration" ? "a duration such as 30s, 5m or 1h" : shape.Describe();
            diagnostics.Add(node, path, $"expected {expected}, found '{text}'");
        }

        return value;
    }

    private static object? ParseEnum(Type type, string text)
    {
        var name = Enum.GetNames(type).FirstOrDefault(n => Naming.Kebab(n) == text || string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
        return name is null ? null : Enum.Parse(type, name);
    }

    private static object? BindList(DocNode node, ListShape shape, string path, DiagnosticBag diagnostics, bool allowTemplates)
    {
        if (node is not DocSequence sequence)
        {
            diagnostics.Add(node, path, $"expected {shape.Describe()}, found {Describe(node)}");
            return null;
        }

        var elementType = shape.Element.ClrType;
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        for (var i = 0; i < sequence.Items.Count; i++)
        {
            list.Add(Bind(sequence.Items[i], shape.Element, $"{path}[{i}]", diagnostics, allowTemplates));
        }

        if (shape.ClrType.IsArray)
        {
            var array = Array.CreateInstance(elementType, list.Count);
            list.CopyTo(array, 0);
            return array;
        }

        return list;
    }

    private static object? BindMap(DocNode node, MapShape shape, string path, DiagnosticBag diagnostics, bool allowTemplates)
    {
        if (node is not DocMapping mapping)
        {
            diagnostics.Add(node, path, $"expected {shape.Describe()}, found {Describe(node)}");
            return null;
        }

        var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), shape.Value.ClrType))!;
        foreach (var entry in mapping.Entries)
        {
            dictionary[entry.Key] = Bind(entry.Value, shape.Value, Join(path, entry.Key), diagnostics, allowTemplates);
        }

        return dictionary;
    }

    private static object? BindObject(DocNode node, ObjectShape shape, string path, DiagnosticBag diagnostics, bool allowTemplates)
    {
        if (node is not DocMapping mapping)
        {
            diagnostics.Add(node, path, $"expected a mapping with {string.Join(", ", shape.Properties.Select(p => p.Name))}, found {Describe(node)}");
            return null;
        }

        var instance = Activator.CreateInstance(shape.ClrType)!;
        foreach (var entry in mapping.Entries)
        {
            var property = shape.Find(entry.Key);
            if (property is null)
            {
                if (entry.Key != "$schema")
                {
                    diagnostics.Add(
                        entry.KeyLocation,
                        Join(path, entry.Key),
                        $"unknown field '{entry.Key}'{Suggest.Hint(entry.Key, shape.Properties.Select(p => p.Name))}; expected one of: "
                        + $"{string.Join(", ", shape.Properties.Select(p => p.Name))}");
                }

                continue;
            }

            var value = Bind(entry.Value, property.Shape, Join(path, entry.Key), diagnostics, allowTemplates);
            if (value is not null)
            {
                property.Property.SetValue(instance, value);
            }
        }

        foreach (var missing in shape.Properties.Where(p => p.Required && mapping.Find(p.Name) is null))
        {
            diagnostics.Add(
                node,
                path,
                $"missing required field '{missing.Name}' "
                + $"({missing.Shape.Describe()}{(missing.Description is null ? "" : ": " + missing.Description)})");
        }

        return instance;
    }

    internal static string Join(string path, string key) => string.IsNullOrEmpty(path) ? key : $"{path}.{key}";

    private static string Kind(DocNode node) => node switch
    {
        DocMapping => "mapping",
        DocSequence => "list",
        _ => "value",
    };

    private static string Describe(DocNode node) => node switch
    {
        DocScalar { Kind: ScalarKind.Null } => "nothing (null)",
        DocScalar scalar => $"'{scalar.Text}'",
        _ => "a " + Kind(node),
    };
}
