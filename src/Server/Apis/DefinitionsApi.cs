using System.Security.Claims;
using Gantry.Engine.Documents;
using Gantry.Engine.Runtime;
using Gantry.Engine.Schema;
using Gantry.Server.Definitions;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary>A definition version with its text and, when the text parses, the document as JSON.</summary>
public sealed record DefinitionView(
    string Id,
    int Version,
    DefinitionState State,
    string ContentHash,
    string? Author,
    string? Comment,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt,
    string Text,
    object? Document)
{
    public static DefinitionView From(DefinitionVersion v) =>
        new(v.Id, v.Version, v.State, v.ContentHash, v.Author, v.Comment, v.CreatedAt, v.PublishedAt, v.Text, Parse(v));

    private static object? Parse(DefinitionVersion v)
    {
        try
        {
            return PlainValue.FromDoc(DocumentReader.Parse(v.Text, v.Id));
        }
        catch (DocumentSyntaxException)
        {
            // Stored text was validated when saved; a text that no longer parses is still shown as text.
            return null;
        }
    }
}

/// <summary>A definition version without its text (version lists).</summary>
public sealed record VersionSummary(
    int Version,
    DefinitionState State,
    string ContentHash,
    string? Author,
    string? Comment,
    DateTimeOffset CreatedAt,
    DateTimeOffset? PublishedAt);

/// <summary>The outcome of validating a text without saving it.</summary>
public sealed record ValidationReport(bool Valid, IReadOnlyList<ValidationError> Errors);

/// <summary><c>/api/definitions</c>: list, read (JSON or YAML), validate, save a version, publish, diff, delete.</summary>
internal static class DefinitionsApi
{
    public static IEndpointRouteBuilder MapDefinitionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/definitions").WithTags("Definitions");
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}", GetLatestAsync).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}/versions", VersionsAsync).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}/versions/{version:int}", GetVersionAsync).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}/diff", DiffAsync).RequireAuthorization(Policies.Read);
        // Validation parses and checks whatever text it is sent: as costly as starting a run, so not for viewers.
        group.MapPost("/{id}/validate", ValidateAsync).RequireAuthorization(Policies.Operate);
        group.MapPost("/{id}/versions", SaveAsync).RequireAuthorization(Policies.Administer);
        group.MapPost("/{id}/versions/{version:int}/publish", PublishAsync).RequireAuthorization(Policies.Administer);
        group.MapDelete("/{id}", DeleteAsync).RequireAuthorization(Policies.Administer);
        return app;
    }

    public static async Task<Ok<IReadOnlyList<DefinitionSummary>>> ListAsync(IDefinitionStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(await store.ListAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The latest published version, else the latest draft.</summary>
    public static async Task<Results<Ok<DefinitionView>, ContentHttpResult, ProblemHttpResult>> GetLatestAsync(
        string id,
        HttpRequest request,
        IDefinitionStore store,
        CancellationToken cancellationToken
    ) => Show(await store.GetAsync(id, null, true, cancellationToken).ConfigureAwait(false), request, $"no definition '{id}'");

    public static async Task<Results<Ok<DefinitionView>, ContentHttpResult, ProblemHttpResult>> GetVersionAsync(
        string id,
        int version,
        HttpRequest request,
        IDefinitionStore store,
        CancellationToken cancellationToken
    ) =>
        Show(
            await store.GetAsync(id, version, false, cancellationToken).ConfigureAwait(false),
            request,
            $"definition '{id}' has no version {version}");

    public static async Task<Results<Ok<IReadOnlyList<VersionSummary>>, ProblemHttpResult>> VersionsAsync(
        string id,
        IDefinitionStore store,
        CancellationToken cancellationToken)
    {
        var versions = await store.VersionsAsync(id, cancellationToken).ConfigureAwait(false);
        return versions.Count == 0
            ? Problems.NotFound($"no definition '{id}'")
            : TypedResults.Ok<IReadOnlyList<VersionSummary>>(
                versions
                    .Select(v => new VersionSummary(v.Version, v.State, v.ContentHash, v.Author, v.Comment, v.CreatedAt, v.PublishedAt))
                    .ToList());
    }

    public static async Task<Ok<ValidationReport>> ValidateAsync(
        string id,
        HttpRequest request,
        DefinitionChecker checker,
        CancellationToken cancellationToken)
    {
        var text = await RequestBody.ReadTextAsync(request, cancellationToken).ConfigureAwait(false);
        var (_, errors) = await checker.CheckAsync(id, text, FileName(id, request), cancellationToken).ConfigureAwait(false);
        // Problems are the answer to a validate call, not a failed request: 200 either way, so the
        // designer's live validation does not log an HTTP error on every keystroke.
        return TypedResults.Ok(new ValidationReport(errors.Count == 0, errors));
    }

    /// <summary>Saves the body (YAML or JSON) as a new version after validating it; <c>?publish=true</c> also publishes it.</summary>
    public static async Task<Results<Created<DefinitionView>, Ok<DefinitionView>, ProblemHttpResult>> SaveAsync(
        string id,
        HttpRequest request,
        ClaimsPrincipal user,
        DefinitionChecker checker,
        IDefinitionStore store,
        bool? publish,
        string? comment,
        CancellationToken cancellationToken)
    {
        var text = await RequestBody.ReadTextAsync(request, cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Problems.BadRequest(
                "Empty definition",
                "the request body must be the workflow document, as YAML (Content-Type: application/yaml) or JSON");
        }

        var (_, errors) = await checker.CheckAsync(id, text, FileName(id, request), cancellationToken).ConfigureAwait(false);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var before = await store.GetAsync(id, null, true, cancellationToken).ConfigureAwait(false);
        var saved = await store.SaveAsync(id, text, Policies.Actor(user), comment, cancellationToken).ConfigureAwait(false);
        if (publish == true)
        {
            saved = await store.PublishAsync(id, saved.Version, cancellationToken).ConfigureAwait(false);
        }

        var view = DefinitionView.From(saved);
        return before?.ContentHash == saved.ContentHash && before.Version == saved.Version
            ? TypedResults.Ok(view)
            : TypedResults.Created($"/api/definitions/{id}/versions/{saved.Version}", view);
    }

    /// <summary>
    /// Publishes a version. Runs use the newest published version, and published versions never
    /// change, so publishing a version older than the current one (a roll-back) publishes its text
    /// as a new version, saved by the caller with the comment "re-published vN": the version list
    /// then says who rolled back and when, and the old version stays as it was.
    /// </summary>
    public static async Task<Results<Ok<DefinitionView>, ProblemHttpResult>> PublishAsync(
        string id,
        int version,
        ClaimsPrincipal user,
        IDefinitionStore store,
        CancellationToken cancellationToken)
    {
        var versions = await store.VersionsAsync(id, cancellationToken).ConfigureAwait(false);
        var chosen = versions.FirstOrDefault(v => v.Version == version);
        if (chosen is null)
        {
            return Problems.NotFound(
                versions.Count == 0
                    ? $"no definition '{id}'"
                    : $"definition '{id}' has no version {version}; it has versions 1 to {versions[^1].Version}");
        }

        var current = versions.LastOrDefault(v => v.State == DefinitionState.Published);
        var toPublish = current is null || version >= current.Version
            ? chosen
            : await store.SaveAsync(id, chosen.Text, Policies.Actor(user), $"re-published v{version}", cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(DefinitionView.From(await store.PublishAsync(id, toPublish.Version, cancellationToken).ConfigureAwait(false)));
    }

    /// <summary>
    /// Deletes a definition with all its versions: 204, or 409 naming the definitions and versions
    /// that still call it (<c>callers: [{id, version, calledVersion}]</c>), or 404.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(
        string id,
        IDefinitionStore store,
        DefinitionCache cache,
        CancellationToken cancellationToken)
    {
        var callers = await DefinitionCallers.FindAsync(store, id, cancellationToken).ConfigureAwait(false);
        if (callers.Count > 0)
        {
            return TypedResults.Problem(
                DefinitionCallers.Describe(id, callers),
                statusCode: StatusCodes.Status409Conflict,
                title: "Definition in use",
                extensions: new Dictionary<string, object?> { ["callers"] = callers });
        }

        if (!await store.DeleteAsync(id, cancellationToken).ConfigureAwait(false))
        {
            return Problems.NotFound($"no definition '{id}'");
        }

        cache.Forget(id);
        return TypedResults.NoContent();
    }

    /// <summary>Compares two versions step by step; <c>to</c> defaults to the latest version, <c>from</c> to the one before it.</summary>
    public static async Task<Results<Ok<DefinitionDiffView>, ProblemHttpResult>> DiffAsync(
        string id,
        int? from,
        int? to,
        IDefinitionStore store,
        CancellationToken cancellationToken)
    {
        var versions = await store.VersionsAsync(id, cancellationToken).ConfigureAwait(false);
        if (versions.Count == 0)
        {
            return Problems.NotFound($"no definition '{id}'");
        }

        var toVersion = to ?? versions[^1].Version;
        var fromVersion = from ?? toVersion - 1;
        var a = versions.FirstOrDefault(v => v.Version == fromVersion);
        var b = versions.FirstOrDefault(v => v.Version == toVersion);
        if (a is null || b is null)
        {
            return Problems.NotFound(
                $"definition '{id}' has no version {(a is null ? fromVersion : toVersion)}; it has versions 1 to {versions[^1].Version}");
        }

        try
        {
            return TypedResults.Ok(DefinitionDiffView.Compare(id, a.Version, a.Text, b.Version, b.Text));
        }
        catch (DocumentSyntaxException ex)
        {
            return Problems.BadRequest("Unreadable version", ex.Message);
        }
    }

    private static Results<Ok<DefinitionView>, ContentHttpResult, ProblemHttpResult> Show(
        DefinitionVersion? version,
        HttpRequest request,
        string missing)
    {
        if (version is null)
        {
            return Problems.NotFound(missing);
        }

        return RequestBody.WantsYaml(request) ? TypedResults.Text(version.Text, "application/yaml") : TypedResults.Ok(DefinitionView.From(version));
    }

    private static string FileName(string id, HttpRequest request) =>
        id
        + (
            RequestBody.IsYaml(request.ContentType) ? ".yaml"
            : request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true ? ".json"
            : ".yaml");
}
