using System.Collections;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;

namespace Gantry.Engine.Schema;

/// <summary>
/// How a .NET type looks in a document. Built once by reflection from an activity's input and
/// output classes or a document section, then used for binding, validation, JSON Schema and the
/// designer's forms: one declaration, read by all.
/// </summary>
public abstract record TypeShape(Type ClrType)
{
    /// <summary>The shape of <paramref name="type"/>, cached.</summary>
    public static TypeShape Of(Type type) => TypeShapeBuilder.Build(type);

    /// <summary>A short human name for messages: "string", "list of string", "duration".</summary>
    public abstract string Describe();
}

/// <summary>A JSON primitive. <see cref="Format"/> is "duration" for TimeSpan values written like 30s or 5m.</summary>
public sealed record ScalarShape(Type ClrType, string JsonType, string? Format = null, IReadOnlyList<string>? EnumValues = null) : TypeShape(ClrType)
{
    public override string Describe() => EnumValues is { Count: > 0 } ? $"one of {string.Join(", ", EnumValues)}" : Format ?? JsonType;
}

/// <summary>A list of one element shape.</summary>
public sealed record ListShape(Type ClrType, TypeShape Element) : TypeShape(ClrType)
{
    public override string Describe() => $"list of {Element.Describe()}";
}

/// <summary>A mapping from string keys to one value shape.</summary>
public sealed record MapShape(Type ClrType, TypeShape Value) : TypeShape(ClrType)
{
    public override string Describe() => $"mapping of {Value.Describe()}";
}

/// <summary>Anything at all (free-form data, signal payloads).</summary>
public sealed record AnyShape(Type ClrType) : TypeShape(ClrType)
{
    public override string Describe() => "any value";
}

/// <summary>A class with named properties.</summary>
public sealed record ObjectShape(Type ClrType, IReadOnlyList<PropertyShape> Properties) : TypeShape(ClrType)
{
    public PropertyShape? Find(string name) => Properties.FirstOrDefault(p => p.Name == name);

    public override string Describe() => "mapping";
}

/// <summary>One property: its document name (snake_case), shape, whether it is required, its description and default.</summary>
public sealed record PropertyShape(string Name, PropertyInfo Property, TypeShape Shape, bool Required, string? Description, object? DefaultValue);

internal static class TypeShapeBuilder
{
    private static readonly Dictionary<Type, TypeShape> Cache = [];
    private static readonly Lock Gate = new();

    // Shapes that are complete, read without the lock: every step binds its inputs and outputs through
    // here, and concurrent runs queued on the lock. Cache also holds shapes still being built.
    private static readonly ConcurrentDictionary<Type, TypeShape> Built = new();

    public static TypeShape Build(Type type)
    {
        if (Built.TryGetValue(type, out var built))
        {
            return built;
        }

        lock (Gate)
        {
            var shape = BuildLocked(type);

            // Outside BuildLocked every shape in Cache is complete.
            foreach (var (cachedType, cached) in Cache)
            {
                Built.TryAdd(cachedType, cached);
            }

            return shape;
        }
    }

    private static TypeShape BuildLocked(Type type)
    {
        if (Cache.TryGetValue(type, out var cached))
        {
            return cached;
        }

        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        TypeShape shape = underlying switch
        {
            _ when underlying == typeof(string) => new ScalarShape(type, "string"),
            _ when underlying == typeof(bool) => new ScalarShape(type, "boolean"),
            _ when underlying == typeof(int) || underlying == typeof(long) => new ScalarShape(type, "integer"),
            _ when underlying == typeof(double) || underlying == typeof(decimal) => new ScalarShape(type, "number"),
            _ when underlying == typeof(TimeSpan) => new ScalarShape(type, "string", "duration"),
            _ when underlying == typeof(Uri) => new ScalarShape(type, "string", "uri"),
            _ when underlying.IsEnum => new ScalarShape(type, "string", null, Enum.GetNames(underlying).Select(Naming.Kebab).ToList()),
            _ when underlying == typeof(object) || typeof(JsonNode).IsAssignableFrom(underlying) => new AnyShape(type),
            _ when TryDictionaryValue(underlying, out var valueType) => new MapShape(type, BuildLocked(valueType)),
            _ when TryListElement(underlying, out var elementType) => new ListShape(type, BuildLocked(elementType)),
            _ => BuildObject(type),
        };
        Cache[type] = shape;
        return shape;
    }

    private static ObjectShape BuildObject(Type type)
    {
        // Register first so self-referencing types terminate.
        var properties = new List<PropertyShape>();
        var shape = new ObjectShape(type, properties);
        Cache[type] = shape;
        object? defaults = type.GetConstructor(Type.EmptyTypes) is not null ? Activator.CreateInstance(type) : null;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!property.CanWrite || property.GetIndexParameters().Length > 0 || property.IsDefined(typeof(DocumentIgnoreAttribute)))
            {
                continue;
            }

            var name = property.GetCustomAttribute<DocumentNameAttribute>()?.Name ?? Naming.Snake(property.Name);
            var required = property.IsDefined(typeof(RequiredMemberAttribute))
                || property.IsDefined(typeof(System.ComponentModel.DataAnnotations.RequiredAttribute));
            var description = property.GetCustomAttribute<DescriptionAttribute>()?.Description;
            var defaultValue = defaults is null || required ? null : property.GetValue(defaults);
            properties.Add(new PropertyShape(name, property, BuildLocked(property.PropertyType), required, description, defaultValue));
        }

        return shape;
    }

    private static bool TryDictionaryValue(Type type, out Type valueType)
    {
        var dictionary = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyDictionary<,>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        if (dictionary is not null && dictionary.GetGenericArguments()[0] == typeof(string))
        {
            valueType = dictionary.GetGenericArguments()[1];
            return true;
        }

        valueType = typeof(object);
        return false;
    }

    private static bool TryListElement(Type type, out Type elementType)
    {
        if (type.IsArray)
        {
            elementType = type.GetElementType()!;
            return true;
        }

        var enumerable = type.IsGenericType && type.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)
            ? type
            : type.GetInterfaces().FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IList<>));
        if (enumerable is not null || (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type)))
        {
            elementType = (enumerable ?? type).GetGenericArguments()[0];
            return true;
        }

        elementType = typeof(object);
        return false;
    }
}
