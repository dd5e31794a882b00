using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gantry.Engine.Activities;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Schema;

/// <summary>
/// Generates the JSON Schemas in <c>schemas/</c> from the model: the environment from its classes,
/// the workflow from a skeleton of the step kinds plus each registered activity's input declaration.
/// <c>gantry schema --write</c> rewrites the files; a test asserts the committed files are current.
/// </summary>
public static class SchemaGenerator
{
    public const string WorkflowFile = "workflow.schema.json";
    public const string EnvironmentFile = "environment.schema.json";
    private const string Draft = "https://json-schema.org/draft/2020-12/schema";
    private const string BaseId = "https://gantry.invalid/schemas/";

    private static readonly JsonSerializerOptions Format = new()
    {
        WriteIndented = true,
        IndentSize = 2,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>
    /// The schema files by name, as they are written: the workflow, the environment, and one
    /// fragment per registered load-balancer provider under <c>load-balancers/</c>.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Files(ActivityRegistry activities)
    {
        var files = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [WorkflowFile] = ToText(Workflow(activities)),
            [EnvironmentFile] = ToText(Environment()),
        };
        foreach (var (name, fragment) in LoadBalancerSchema.Fragments())
        {
            var file = LoadBalancerSchema.FileName(name);
            var standalone = new JsonObject
            {
                ["$schema"] = Draft,
                ["$id"] = BaseId + file,
                ["title"] = $"Gantry load balancer: {name}",
                ["description"] = $"The load_balancer: block of an environment whose provider is {name}.",
            };
            foreach (var (key, value) in fragment)
            {
                standalone[key] = value?.DeepClone();
            }

            files[file] = ToText(standalone);
        }

        return files;
    }

    /// <summary>Writes the files into <paramref name="folder"/>; returns the paths written.</summary>
    public static IReadOnlyList<string> Write(string folder, ActivityRegistry activities)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();
        foreach (var (name, text) in Files(activities))
        {
            var path = Path.Combine(folder, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            written.Add(path);
        }

        return written;
    }

    public static string ToText(JsonNode schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return schema.ToJsonString(Format) + "\n";
    }

    /// <summary>The environment document's schema, from <see cref="EnvironmentDefinition"/>.</summary>
    public static JsonObject Environment()
    {
        var schema = new JsonObject
        {
            ["$schema"] = Draft,
            ["$id"] = BaseId + EnvironmentFile,
            ["title"] = "Gantry environment",
            ["description"] =
                "Where a workflow runs: the repository, the load balancer, groups of hosts, the deploy layout and secrets by reference.",
        };
        foreach (var (key, value) in For(TypeShape.Of(typeof(EnvironmentDefinition)), allowTemplates: false, allowSchemaKey: true))
        {
            schema[key] = value?.DeepClone();
        }

        // load_balancer: takes the fields of the provider it names, each provider's from its own fragment.
        var fragments = LoadBalancerSchema.Fragments();
        var properties = (JsonObject)schema["properties"]!;
        properties["load_balancer"] = LoadBalancerSchema.Property(properties["load_balancer"]?["description"]?.GetValue<string>(), fragments);
        schema["$defs"] = new JsonObject(fragments.Select(f => KeyValuePair.Create("load_balancer." + f.Name, (JsonNode?)f.Schema)));
        return schema;
    }

    /// <summary>The workflow document's schema: the step kinds, and for <c>uses:</c> one if/then per registered activity.</summary>
    public static JsonObject Workflow(ActivityRegistry activities) => WorkflowSchema.Build(activities);

    /// <summary>The schema of one shape. With <paramref name="allowTemplates"/> every value may also be a <c>{{ template }}</c>.</summary>
    public static JsonObject For(TypeShape shape, bool allowTemplates, bool allowSchemaKey = false) =>
        Build(shape, allowTemplates, allowSchemaKey, []);

    private static JsonObject Build(TypeShape shape, bool allowTemplates, bool allowSchemaKey, HashSet<Type> active)
    {
        var schema = shape switch
        {
            ScalarShape scalar => Scalar(scalar),
            ListShape list => new JsonObject { ["type"] = "array", ["items"] = Build(list.Element, allowTemplates, false, active) },
            MapShape map => new JsonObject { ["type"] = "object", ["additionalProperties"] = Build(map.Value, allowTemplates, false, active) },
            ObjectShape obj => Object(obj, allowTemplates, allowSchemaKey, active),
            _ => new JsonObject(),
        };
        return allowTemplates && shape is not AnyShape && !(shape is ScalarShape { JsonType: "string", Format: null, EnumValues: null })
            ? new JsonObject { ["anyOf"] = new JsonArray(schema, Template()) }
            : schema;
    }

    private static JsonObject Scalar(ScalarShape shape)
    {
        var schema = new JsonObject { ["type"] = shape.JsonType };
        if (shape.EnumValues is { Count: > 0 } values)
        {
            schema["enum"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        }

        switch (shape.Format)
        {
            case "duration":
                schema["pattern"] = @"^([0-9]+(\.[0-9]+)?(ms|s|m|h|d))+$|^[0-9]+(\.[0-9]+)?:[0-9]{2}(:[0-9]{2})?";
                schema["examples"] = new JsonArray("30s", "5m", "1h", "1m30s");
                break;
            case { } format:
                schema["format"] = format;
                break;
        }

        return schema;
    }

    private static JsonObject Object(ObjectShape shape, bool allowTemplates, bool allowSchemaKey, HashSet<Type> active)
    {
        if (!active.Add(shape.ClrType))
        {
            return new JsonObject { ["type"] = "object" }; // a type that contains itself: stop here
        }

        var properties = new JsonObject();
        if (allowSchemaKey)
        {
            properties["$schema"] = new JsonObject { ["type"] = "string", ["description"] = "The JSON Schema of this document (for editors)." };
        }

        foreach (var property in shape.Properties)
        {
            var schema = Build(property.Shape, allowTemplates, false, active);
            if (property.Description is { } description)
            {
                schema["description"] = description;
            }

            if (Default(property) is { } value)
            {
                schema["default"] = value;
            }

            properties[property.Name] = schema;
        }

        active.Remove(shape.ClrType);
        var result = new JsonObject { ["type"] = "object", ["properties"] = properties, ["additionalProperties"] = false };
        var required = shape.Properties.Where(p => p.Required).Select(p => (JsonNode)JsonValue.Create(p.Name)).ToArray();
        if (required.Length > 0)
        {
            result["required"] = new JsonArray(required);
        }

        return result;
    }

    /// <summary>A property's default as JSON; none for null, empty collections and nested objects (their fields carry their own).</summary>
    private static JsonNode? Default(PropertyShape property)
    {
        if (property.DefaultValue is null || property.Shape is ObjectShape)
        {
            return null;
        }

        var plain = PlainValue.FromTyped(property.DefaultValue);
        return plain is System.Collections.ICollection { Count: 0 } ? null : ToJson(plain);
    }

    internal static JsonNode? ToJson(object? plain) => plain switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(kv => KeyValuePair.Create(kv.Key, ToJson(kv.Value)))),
        IEnumerable<object?> list => new JsonArray(list.Select(ToJson).ToArray()),
        _ => JsonValue.Create(plain.ToString()),
    };

    internal static JsonObject Template() =>
        new()
        {
            ["type"] = "string",
            ["pattern"] = @"\{\{",
            ["description"] = "A template evaluated at run time.",
        };

    internal static JsonNode? FromDoc(DocNode? node) => node is null ? null : ToJson(PlainValue.FromDoc(node));
}
