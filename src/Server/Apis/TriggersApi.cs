using System.Security.Claims;
using Gantry.Engine.Documents;
using Gantry.Server.Definitions;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Apis;

/// <summary>
/// <c>POST /api/triggers/{path}</c>: starts the published workflow declaring <c>on: { http: { path } }</c>.
/// The JSON body's top-level fields that name declared inputs become inputs; the environment is
/// <c>?environment=</c> or the trigger's own <c>environment</c> setting.
/// </summary>
internal static class TriggersApi
{
    public static IEndpointRouteBuilder MapTriggersApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/triggers/{**path}", FireAsync).RequireAuthorization(Policies.Operate).WithTags("Triggers");
        return app;
    }

    public static async Task<Results<Accepted<RunView>, ProblemHttpResult>> FireAsync(
        string path, string? environment, HttpRequest request, [FromHeader(Name = RunsApi.IdempotencyHeader)] string? idempotencyKey,
        ClaimsPrincipal user, DefinitionCache definitions, RunLauncher launcher, HttpResponse response, CancellationToken cancellationToken)
    {
        var published = await definitions.PublishedAsync(cancellationToken).ConfigureAwait(false);
        var matches = published
            .Values.Select(p =>
                (
                    p.Workflow,
                    Trigger: p.Workflow.Triggers.FirstOrDefault(t =>
                        t.Kind == "http" && t.Settings.TryGetValue("path", out var p2) && p2.Trim('/') == path.Trim('/'))))
            .Where(m => m.Trigger is not null)
            .ToList();
        if (matches.Count == 0)
        {
            return Problems.NotFound($"no published workflow declares on: {{ http: {{ path: {path} }} }}");
        }

        if (matches.Count > 1)
        {
            return Problems.Conflict(
                $"workflows {string.Join(", ", matches.Select(m => m.Workflow.Id))} all declare the HTTP trigger path '{path}'; give each its own "
                + "path");
        }

        object? payload;
        try
        {
            payload = RequestBody.ParsePlain(await RequestBody.ReadTextAsync(request, cancellationToken).ConfigureAwait(false), "trigger payload");
        }
        catch (DocumentSyntaxException ex)
        {
            return Problems.BadRequest(
                "Invalid payload",
                $"the trigger payload is not valid JSON (line {ex.Location.Line}, column {ex.Location.Column}): {ex.Reason}");
        }

        if (payload is not null and not IDictionary<string, object?>)
        {
            return Problems.BadRequest("Invalid payload", "the trigger payload must be a JSON object whose fields are the workflow's inputs");
        }

        var (workflow, trigger) = matches[0];
        var declared = workflow.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = ((IDictionary<string, object?>?)payload ?? new Dictionary<string, object?>())
            .Where(kv => declared.Contains(kv.Key))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        var environmentId = environment ?? (trigger!.Settings.TryGetValue("environment", out var configured) ? configured : null);
        return await RunsApi
            .LaunchAsync(
                launcher,
                new LaunchRequest(workflow.Id, environmentId, inputs, "http:" + path.Trim('/'), Policies.Actor(user), idempotencyKey),
                response,
                cancellationToken)
            .ConfigureAwait(false);
    }
}
