using System.Text.Json.Nodes;
using Gantry.Engine.Activities;
using Gantry.Engine.Plugins;
using Gantry.Engine.Schema;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>
/// An activity as the designer needs it: what it does, an example, JSON Schemas of its inputs and
/// outputs, and where it comes from (<c>plugin NAME</c> for a plugin, else the assembly's name).
/// </summary>
public sealed record ActivityView(
    string Name,
    string Provider,
    string Description,
    string? Example,
    bool Waits,
    JsonObject Inputs,
    JsonObject Outputs,
    string Source)
{
    public static ActivityView From(ActivityDescriptor d, PluginLoadReport plugins) =>
        new(
            d.Name,
            d.Provider,
            d.Description,
            d.Example,
            d.Waits,
            FormSchema(SchemaGenerator.For(d.Inputs, allowTemplates: true)),
            SchemaGenerator.For(d.Outputs, allowTemplates: false),
            plugins.PluginOf(d.Name) is { } plugin ? $"plugin {plugin.Name}" : d.ImplementationType.Assembly.GetName().Name ?? "");

    /// <summary>Fields may hold templates, but the form itself is always an object: drop the outer "or a template" choice.</summary>
    private static JsonObject FormSchema(JsonObject schema) =>
        schema["anyOf"] is JsonArray { Count: > 0 } choices && choices[0] is JsonObject form ? (JsonObject)form.DeepClone() : schema;
}

/// <summary><c>/api/activities</c>: the catalogue the designer builds its forms from.</summary>
internal static class ActivitiesApi
{
    public static IEndpointRouteBuilder MapActivitiesApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/activities").WithTags("Activities").RequireAuthorization(Policies.Read);
        group.MapGet("/", List);
        group.MapGet("/{name}", Show);
        return app;
    }

    public static Ok<IReadOnlyList<ActivityView>> List(ActivityRegistry registry, PluginLoadReport plugins) =>
        TypedResults.Ok<IReadOnlyList<ActivityView>>(registry.All.Select(d => ActivityView.From(d, plugins)).ToList());

    public static Results<Ok<ActivityView>, ProblemHttpResult> Show(string name, ActivityRegistry registry, PluginLoadReport plugins) =>
        registry.TryGet(name, out var descriptor)
            ? TypedResults.Ok(ActivityView.From(descriptor, plugins))
            : Problems.NotFound($"unknown activity '{name}'{Engine.Diagnostics.Suggest.Hint(name, registry.Names)}");
}
