using Gantry.Engine.Documents;
using Gantry.Engine.Runtime;
using Gantry.Server.Definitions;
using Gantry.Server.Hosting;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Gantry.Server.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>What a webhook delivery did: which runs it signalled or started, or why it did nothing.</summary>
public sealed record HookOutcome(string Event, string? Delivery, IReadOnlyList<string> SignalledRuns, string Reason)
{
    /// <summary>Runs a push started.</summary>
    public IReadOnlyList<string> StartedRuns { get; init; } = [];
}

/// <summary>
/// <c>POST /api/hooks/github</c>: GitHub webhooks, verified by their HMAC-SHA256 signature.
/// <c>pull_request</c>, <c>check_suite</c> and <c>status</c> events resume git.wait-merged waits
/// (<see cref="MergeGateHook"/>); the step decides whether the merge and its checks are what it wants.
/// A <c>push</c> event starts the workflows whose push trigger watches the branch (<see cref="PushHook"/>).
/// </summary>
internal static class HooksApi
{
    public static IEndpointRouteBuilder MapHooksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/hooks/github", GitHubAsync).AllowAnonymous().WithTags("Hooks");
        return app;
    }

    public static async Task<Results<Accepted<HookOutcome>, ProblemHttpResult>> GitHubAsync(
        HttpRequest request,
        ServerContext context,
        WorkflowEngine engine,
        DefinitionCache definitions,
        RunLauncher launcher,
        WebhookReplayGuard replays,
        ILogger<HookOutcome> logger,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(context.Options.GitHubWebhookSecret))
        {
            return Problems.Status(
                StatusCodes.Status401Unauthorized,
                "Webhook secret not configured",
                "the server has no GitHub webhook secret (start it with GANTRY_GITHUB_WEBHOOK_SECRET set or --github-webhook-secret-file), so no "
                + "delivery can be verified");
        }

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var body = buffer.ToArray();
        var signature = request.Headers[GitHubSignature.Header].ToString();
        if (!GitHubSignature.Verify(context.Options.GitHubWebhookSecret, body, signature))
        {
            return Problems.Status(
                StatusCodes.Status401Unauthorized,
                "Invalid signature",
                string.IsNullOrEmpty(signature)
                    ? $"the {GitHubSignature.Header} header is missing"
                    : $"the {GitHubSignature.Header} header does not match the body signed with the configured secret");
        }

        var eventName = request.Headers["X-GitHub-Event"].ToString();
        var delivery = request.Headers["X-GitHub-Delivery"].ToString();
        if (!MergeGateHook.Handles(eventName) && eventName != PushHook.Event)
        {
            var reason =
                eventName == "ping"
                    ? "ping received; the webhook is set up"
                    : $"event '{eventName}' starts or resumes nothing here; push events start workflows with a push trigger, and pull_request, "
                        + "pull_request_review, check_suite and status events are delivered to runs waiting in git.wait-merged";
            return TypedResults.Accepted((string?)null, new HookOutcome(eventName, delivery, [], reason));
        }

        object? payload;
        try
        {
            payload = RequestBody.ParsePlain(System.Text.Encoding.UTF8.GetString(body), "webhook payload");
        }
        catch (DocumentSyntaxException ex)
        {
            return Problems.BadRequest(
                "Invalid payload",
                $"the webhook payload is not valid JSON (line {ex.Location.Line}, column {ex.Location.Column}; send it with content type "
                + $"application/json): {ex.Reason}");
        }

        var json = System.Text.Json.JsonSerializer.SerializeToElement(payload);
        if (replays.Stale(eventName, json) is { } stale)
        {
            return Problems.BadRequest("Stale delivery", stale);
        }

        var bodyHash = WebhookReplayGuard.BodyHash(body);
        if (await replays.SeenBeforeAsync(bodyHash, cancellationToken).ConfigureAwait(false) is { } firstSeen)
        {
            return TypedResults.Accepted(
                (string?)null,
                new HookOutcome(
                    eventName,
                    delivery,
                    [],
                    $"replay refused: a delivery with the same signed body (sha256 {bodyHash[..16]}…) arrived at {firstSeen:u}; it started or "
                    + "resumed nothing"));
        }

        if (eventName == PushHook.Event)
        {
            if (payload is not IDictionary<string, object?> push)
            {
                return Problems.BadRequest("Invalid payload", "a push payload must be a JSON object");
            }

            try
            {
                var (started, why) = await PushHook
                    .HandleAsync(push, delivery, bodyHash, definitions, launcher, cancellationToken)
                    .ConfigureAwait(false);
                ServerLog.WebhookDelivered(logger, eventName, delivery, started.Count);
                return TypedResults.Accepted((string?)null, new HookOutcome(eventName, delivery, [], why) { StartedRuns = started });
            }
            catch (RunStartException ex)
            {
                return Problems.Status(ex.Status, ex.Title, ex.Message);
            }
        }

        if (MergeGateHook.Irrelevant(eventName, json) is { } irrelevant)
        {
            return TypedResults.Accepted((string?)null, new HookOutcome(eventName, delivery, [], irrelevant));
        }

        var sender =
            (payload as IDictionary<string, object?>)?.TryGetValue("sender", out var s) == true
            && s is IDictionary<string, object?> who
            && who.TryGetValue("login", out var login)
                ? $"github:{login}"
                : "github";
        var (signalled, outcome) = await MergeGateHook
            .DeliverAsync(engine, eventName, payload, json, sender, cancellationToken)
            .ConfigureAwait(false);
        ServerLog.WebhookDelivered(logger, eventName, delivery, signalled.Count);
        return TypedResults.Accepted((string?)null, new HookOutcome(eventName, delivery, signalled, outcome));
    }
}
