using System.Text.Json.Nodes;
using Gantry.Engine.Model;

namespace Gantry.Engine.Schema;

/// <summary>
/// The schema of <c>load_balancer:</c>: one fragment per registered provider, generated from its
/// settings class, chosen by <c>provider:</c>. The environment schema carries the fragments in
/// <c>$defs</c> so editors need one file; each is also written alone for the product's authors.
/// </summary>
internal static class LoadBalancerSchema
{
    public const string Folder = "load-balancers";

    /// <summary>The fragment of each provider, by name.</summary>
    public static IReadOnlyList<(string Name, JsonObject Schema)> Fragments() =>
        LoadBalancerProviders.All.Select(p => (p.Key, Fragment(p.Key, p.Value))).ToList();

    /// <summary>The <c>load_balancer</c> property: provider names, then the chosen provider's fragment.</summary>
    public static JsonObject Property(string? description, IReadOnlyList<(string Name, JsonObject Schema)> fragments)
    {
        var choices = new JsonArray();
        foreach (var (name, _) in fragments)
        {
            var when = name == LoadBalancerProviders.Sandbox
                ? new JsonObject { ["not"] = new JsonObject { ["required"] = new JsonArray("provider") } }
                : null;
            choices.Add(new JsonObject
            {
                ["if"] = new JsonObject
                {
                    ["properties"] = new JsonObject { ["provider"] = new JsonObject { ["const"] = name } },
                    ["required"] = new JsonArray("provider"),
                },
                ["then"] = new JsonObject { ["$ref"] = Reference(name) },
            });
            if (when is not null)
            {
                choices.Add(new JsonObject { ["if"] = when, ["then"] = new JsonObject { ["$ref"] = Reference(name) } });
            }
        }

        var property = new JsonObject
        {
            ["type"] = "object",
            ["properties"] = new JsonObject
            {
                ["provider"] = new JsonObject
                {
                    ["type"] = "string",
                    ["enum"] = new JsonArray(fragments.Select(f => (JsonNode)JsonValue.Create(f.Name)).ToArray()),
                    ["default"] = LoadBalancerProviders.Sandbox,
                },
            },
            ["allOf"] = choices,
        };
        if (description is not null)
        {
            property["description"] = description;
        }

        return property;
    }

    public static string FileName(string name) => $"{Folder}/{name}.schema.json";

    private static string Reference(string name) => $"#/$defs/load_balancer.{name}";

    private static JsonObject Fragment(string name, Type settings)
    {
        var schema = SchemaGenerator.For(TypeShape.Of(settings), allowTemplates: false);
        var provider = (JsonObject)schema["properties"]!["provider"]!;
        provider.Remove("default");
        provider["const"] = name;
        return schema;
    }
}
