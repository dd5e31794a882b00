using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>
/// Templates parse, and what they read exists when they run: <c>inputs.x</c> is declared;
/// <c>steps.x.outputs.y</c> names a step that completes before this one (an earlier sibling or an
/// earlier step of an enclosing block; anything before, for on_failure and finally) and has that output.
/// </summary>
internal sealed class ReferenceRules(WorkflowDefinition workflow, ValidationContext context, DiagnosticBag diagnostics)
{
    private readonly Dictionary<string, StepNode> _steps = workflow.AllSteps()
        .Where(s => s.Id is not null)
        .GroupBy(s => s.Id!, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private readonly HashSet<string> _inputs = workflow.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);

    public void Check()
    {
        Walk(workflow.Steps, new HashSet<string>(StringComparer.Ordinal));
        var everything = Ids(workflow.Steps);
        Walk(workflow.OnFailure, everything);
        everything.UnionWith(Ids(workflow.OnFailure));
        foreach (var output in workflow.Outputs)
        {
            CheckFields(TemplateFields.In(output.Value, $"outputs.{output.Key}"), everything, null);
        }

        if (ConcurrencyKey() is { IsTemplate: true } key)
        {
            CheckFields([(key, "concurrency")], new HashSet<string>(), null);
        }
    }

    /// <summary>Checks steps in execution order; <paramref name="done"/> grows with each step that completes.</summary>
    private void Walk(IReadOnlyList<StepNode> steps, HashSet<string> done)
    {
        foreach (var step in steps)
        {
            CheckFields(TemplateFields.OfStep(step), done, step);
            switch (step)
            {
                case GroupStep group:
                    var inner = new HashSet<string>(done, StringComparer.Ordinal);
                    Walk(group.Steps, inner);
                    var handlers = new HashSet<string>(done, StringComparer.Ordinal);
                    handlers.UnionWith(Ids(group.Steps));
                    Walk(group.OnFailure, handlers);
                    handlers.UnionWith(Ids(group.OnFailure));
                    Walk(group.Finally, handlers);
                    break;
                case ParallelStep parallel:
                    foreach (var branch in parallel.Branches)
                    {
                        Walk([branch], new HashSet<string>(done, StringComparer.Ordinal));
                    }

                    break;
                case ForeachStep foreach_:
                    Walk(foreach_.Steps, new HashSet<string>(done, StringComparer.Ordinal));
                    break;
            }

            done.UnionWith(step.SelfAndDescendants().Where(s => s.Id is not null).Select(s => s.Id!));
        }
    }

    private void CheckFields(IEnumerable<(DocScalar Scalar, string Path)> fields, IReadOnlySet<string> done, StepNode? step)
    {
        foreach (var (scalar, path) in fields)
        {
            if (TemplateRenderer.CheckSyntax(scalar) is { } error)
            {
                diagnostics.Add(error.Location, path, $"template syntax error: {error.Reason}");
            }

            CheckSecrets(scalar, path, step);
            foreach (var (reference, offset) in TemplateRenderer.References(scalar.Text ?? ""))
            {
                var parts = reference.Split('.');
                var location = TemplateFields.At(scalar, offset);
                var problem = parts[0] switch
                {
                    "inputs" => CheckInput(parts[1]),
                    "steps" => CheckStep(parts, done, step),
                    _ => null,
                };
                if (problem is not null)
                {
                    diagnostics.Add(location, path, problem);
                }
            }
        }
    }

    /// <summary>
    /// A secret is read only by an input its activity declares sensitive, as the whole expression
    /// <c>{{ secrets.NAME }}</c>: anywhere else, or transformed, it would be printed past the masker.
    /// </summary>
    private void CheckSecrets(DocScalar scalar, string path, StepNode? step)
    {
        var text = scalar.Text ?? "";
        var sensitive = SensitiveInputs(step, out var activity);
        var allowed = sensitive.Any(name =>
            path == $"{step!.Path}.with.{name}"
            || path.StartsWith($"{step.Path}.with.{name}.", StringComparison.Ordinal)
            || path.StartsWith($"{step.Path}.with.{name}[", StringComparison.Ordinal));
        var where =
            activity is null ? ""
            : sensitive.Count == 0 ? $"; {activity} has no sensitive input"
            : $"; {activity}'s sensitive inputs: {string.Join(", ", sensitive.Order(StringComparer.Ordinal))}";
        foreach (var use in TemplateRenderer.SecretUses(text).Where(_ => !allowed))
        {
            diagnostics.Add(
                TemplateFields.At(scalar, use.Index),
                path,
                $"secrets.{use.Groups["name"].Value} can only be used in an input declared sensitive (a password, token, key or a process's env), "
                + $"where it is passed on unchanged and masked{where}");
        }

        foreach (var offset in TemplateRenderer.OtherSecretReads(text))
        {
            diagnostics.Add(
                TemplateFields.At(scalar, offset),
                path,
                "secrets can only be read as the whole expression {{ secrets.NAME }} in an input declared sensitive; a function or filter over a "
                + "secret would print it past the masker"
                    + where);
        }
    }

    private IReadOnlySet<string> SensitiveInputs(StepNode? step, out string? activity)
    {
        activity = (step as ActionStep)?.Uses;
        return step is ActionStep action && context.Activities.TryGet(action.Uses, out var descriptor)
            ? descriptor.SensitiveInputs
            : new HashSet<string>();
    }

    private string? CheckInput(string name)
    {
        if (_inputs.Contains(name))
        {
            return null;
        }

        var declared =
            _inputs.Count == 0 ? "the workflow declares no inputs" : $"declared inputs: {string.Join(", ", workflow.Inputs.Select(i => i.Name))}";
        return $"unknown input 'inputs.{name}'{Suggest.Hint(name, _inputs)}; {declared}";
    }

    private string? CheckStep(string[] parts, IReadOnlySet<string> done, StepNode? current)
    {
        var id = parts[1];
        if (!_steps.TryGetValue(id, out var target))
        {
            var known = _steps.Count == 0 ? "no step has an id" : $"step ids: {string.Join(", ", _steps.Keys)}";
            return $"unknown step '{id}' in 'steps.{id}'{Suggest.Hint(id, _steps.Keys)}; {known}";
        }

        if (ReferenceEquals(target, current))
        {
            return $"step '{id}' cannot read its own outputs";
        }

        if (!done.Contains(id))
        {
            return $"step '{id}' ({target.Path}) does not complete before this step runs; only steps that complete earlier can be referenced";
        }

        if (parts.Length >= 4 && parts[2] == "outputs" && Outputs(target) is { } outputs && !outputs.Contains(parts[3]))
        {
            var what = target is ActionStep action ? action.Uses : $"workflow {((CallStep)target).Workflow}";
            var has = outputs.Count == 0 ? "it has no outputs" : $"its outputs: {string.Join(", ", outputs)}";
            return $"step '{id}' ({what}) has no output '{parts[3]}'{Suggest.Hint(parts[3], outputs)}; {has}";
        }

        return null;
    }

    /// <summary>The output names a step is known to produce, or null when unknown (then any name is accepted).</summary>
    private IReadOnlyList<string>? Outputs(StepNode step) => step switch
    {
        ActionStep action when context.Activities.TryGet(action.Uses, out var activity) => activity.Outputs.Properties.Select(p => p.Name).ToList(),
        CallStep call when context.Callee(call, workflow) is { } callee => callee.Outputs.Select(o => o.Key).ToList(),
        _ => null,
    };

    private static HashSet<string> Ids(IEnumerable<StepNode> steps) =>
        steps.SelectMany(s => s.SelfAndDescendants()).Where(s => s.Id is not null).Select(s => s.Id!).ToHashSet(StringComparer.Ordinal);

    /// <summary>The concurrency key as written (re-read from the source so its exact position is known).</summary>
    private DocScalar? ConcurrencyKey()
    {
        if (workflow.Concurrency is not { } concurrency)
        {
            return null;
        }

        try
        {
            var root = DocumentReader.Parse(workflow.SourceText, workflow.SourcePath) as DocMapping;
            var node = root?["concurrency"];
            if ((node as DocMapping)?["key"] is DocScalar key)
            {
                return key;
            }

            if (node is DocScalar scalar)
            {
                return scalar;
            }
        }
        catch (DocumentSyntaxException)
        {
            // The definition was not read from this text (built in code); fall back to what it holds.
        }

        return new DocScalar(concurrency.Key, ScalarKind.String, concurrency.Location);
    }
}
