using Gantry.Engine.Activities;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Engine.Validation;

namespace Gantry.Server.Definitions;

/// <summary>One validation error as the API reports it.</summary>
public sealed record ValidationError(string File, int Line, int Column, string Path, string Message)
{
    public static ValidationError From(Diagnostic d) => new(d.Location.File, d.Location.Line, d.Location.Column, d.Path, d.Message);
}

/// <summary>Loads and validates a definition's text as the server would save it: every error at once, each located.</summary>
internal sealed class DefinitionChecker(ActivityRegistry activities, WorkflowValidator validator, DefinitionCache cache, IDefinitionStore definitions)
{
    public async Task<(WorkflowDefinition? Workflow, IReadOnlyList<ValidationError> Errors)> CheckAsync(
        string id,
        string text,
        string file,
        CancellationToken cancellationToken)
    {
        var loaded = DocumentLoader.LoadWorkflow(text, file);
        var diagnostics = loaded.Diagnostics.ToList();
        if (loaded.Value is { } workflow)
        {
            if (workflow.Id != id)
            {
                diagnostics.Add(
                    new Diagnostic(
                        workflow.Location,
                        "id",
                        $"the document's id '{workflow.Id}' differs from the definition id '{id}' in the URL; save it under "
                        + $"/api/definitions/{workflow.Id}"));
            }

            var library = (await cache.PublishedAsync(cancellationToken).ConfigureAwait(false)).ToDictionary(
                kv => kv.Key,
                kv => kv.Value.Workflow,
                StringComparer.Ordinal);
            library[workflow.Id] = workflow;
            var context = await PinnedCallVersions
                .AddToAsync(new ValidationContext(activities, library), definitions, workflow, cancellationToken)
                .ConfigureAwait(false);
            var seen = diagnostics.ToHashSet();
            diagnostics.AddRange(validator.Validate(workflow, context).Where(seen.Add));
        }

        var errors = diagnostics.OrderBy(d => d.Location.Line).ThenBy(d => d.Location.Column).Select(ValidationError.From).ToList();
        return (errors.Count == 0 ? loaded.Value : null, errors);
    }
}
