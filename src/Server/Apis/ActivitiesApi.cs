using System.Text.Json.Nodes;
using Gantry.Engine.Activities;
using Gantry.Engine.Schema;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>An activity as the designer needs it: what it does, an example, and JSON Schemas of its inputs and outputs.</summary>
public sealed record ActivityView(string Name, string Provider, string Description, string? Example, bool Waits, JsonObject Inputs, JsonObject Outputs)
{
    public static ActivityView From(ActivityDescriptor d) => new(
        d.Name, d.Provider, d.Description, d.Example, d.Waits, FormSchema(SchemaGenerator.For(d.Inputs, allowTemplates: true)), SchemaGenerator.For(d.Outputs, allowTemplates: false));

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

    public static Ok<IReadOnlyList<ActivityView>> List(ActivityRegistry registry) =>
        TypedResults.Ok<IReadOnlyList<ActivityView>>(registry.All.Select(ActivityView.From).ToList());

    public static Results<Ok<ActivityView>, ProblemHttpResult> Show(string name, ActivityRegistry registry) =>
        registry.TryGet(name, out var descriptor)
            ? TypedResults.Ok(ActivityView.From(descriptor))
            : Problems.NotFound($"unknown activity '{name}'{Engine.Diagnostics.Suggest.Hint(name, registry.Names)}");
}
