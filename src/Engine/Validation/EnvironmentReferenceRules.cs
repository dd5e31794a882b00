using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Runtime;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Validation;

/// <summary>
/// What a workflow reads from the environment exists in it: each <c>env.a.b</c> names keys of the
/// environment document, and each <c>host.vars.x</c> inside a loop over hosts names a var every host
/// the loop can reach has. A reference followed by <c>??</c> has a fallback and may be missing.
/// Workflows the steps call are checked too (each once), reported at the call. Without this a typo or
/// a var the environment lacks fails the run only when the step renders, after the rollout began.
/// </summary>
internal sealed class EnvironmentReferenceRules
{
    private static readonly string[] HostKeys = ["name", "group", "address", "user", "port", "lb_server", "root", "vars"];

    private readonly ValidationContext _context;
    private readonly EnvironmentDefinition _environment;
    private readonly object? _plain;
    private readonly HashSet<string> _visited = new(StringComparer.Ordinal);

    private EnvironmentReferenceRules(ValidationContext context, EnvironmentDefinition environment)
    {
        _context = context;
        _environment = environment;
        _plain = PlainValue.FromTyped(environment);
    }

    public static void Check(WorkflowDefinition workflow, ValidationContext context, DiagnosticBag diagnostics)
    {
        if (context.Environment is { } environment)
        {
            diagnostics.AddRange(new EnvironmentReferenceRules(context, environment).Problems(workflow));
        }
    }

    private List<Diagnostic> Problems(WorkflowDefinition workflow)
    {
        _visited.Add(workflow.Id);
        var problems = new List<Diagnostic>();
        Walk(workflow, workflow.Steps, null, problems);
        Walk(workflow, workflow.OnFailure, null, problems);
        foreach (var output in workflow.Outputs)
        {
            CheckFields(TemplateFields.In(output.Value, $"outputs.{output.Key}"), null, problems);
        }

        return problems;
    }

    /// <summary>Checks steps; <paramref name="hosts"/> are the hosts the innermost enclosing loop over hosts reaches (null outside one).</summary>
    private void Walk(WorkflowDefinition workflow, IReadOnlyList<StepNode> steps, IReadOnlyList<string>? hosts, List<Diagnostic> problems)
    {
        foreach (var step in steps)
        {
            CheckFields(TemplateFields.OfStep(step), hosts, problems);
            if (step is CallStep call)
            {
                CheckCallee(workflow, call, problems);
            }

            var inner = step is ForeachStep loop ? ReachableHosts(loop) ?? hosts : hosts;
            foreach (var children in step.Children())
            {
                Walk(workflow, children, inner, problems);
            }
        }
    }

    private void CheckCallee(WorkflowDefinition caller, CallStep call, List<Diagnostic> problems)
    {
        if (_context.Callee(call, caller) is not { } callee || !_visited.Add(DefinitionLibrary.Key(call.Workflow, call.Version)))
        {
            return;
        }

        foreach (var problem in Problems(callee))
        {
            problems.Add(new Diagnostic(call.WorkflowLocation, $"{call.Path}.with.workflow",
                $"called workflow '{callee.Id}' reads what the environment lacks: {problem}"));
        }
    }

    /// <summary>The hosts a loop binds <c>host</c> to: a group's hosts, listed hosts, or (for a template) every host; null when it loops over no
    /// hosts.</summary>
    private List<string>? ReachableHosts(ForeachStep loop)
    {
        IEnumerable<string> names = loop.Items switch
        {
            DocScalar { IsTemplate: true } => _environment.Hosts.Keys,
            DocScalar { Text: { } text } => Expand(text),
            DocSequence sequence when sequence.Items.Any(i => i is DocScalar { IsTemplate: true }) => _environment.Hosts.Keys,
            DocSequence sequence => sequence.Items.OfType<DocScalar>().SelectMany(i => Expand(i.Text ?? "")),
            _ => [],
        };
        var hosts = names.Distinct(StringComparer.Ordinal).ToList();
        return hosts.Count == 0 ? null : hosts;
    }

    private IEnumerable<string> Expand(string item) =>
        _environment.Groups.TryGetValue(item, out var group) ? group.Hosts.Where(_environment.Hosts.ContainsKey)
        : _environment.Hosts.ContainsKey(item) ? [item]
        : [];

    private void CheckFields(IEnumerable<(DocScalar Scalar, string Path)> fields, IReadOnlyList<string>? hosts, List<Diagnostic> problems)
    {
        foreach (var (scalar, path) in fields)
        {
            var text = scalar.Text ?? "";
            foreach (var (reference, offset) in TemplateRenderer.References(text))
            {
                if (HasFallback(text, offset + reference.Length))
                {
                    continue;
                }

                var parts = reference.Split('.');
                var problem = parts[0] switch
                {
                    "env" => Missing(_plain, parts.AsSpan(1), "", $"environment '{_environment.Id}'"),
                    "host" when hosts is not null => CheckHost(parts, hosts),
                    _ => null,
                };
                if (problem is not null)
                {
                    problems.Add(new Diagnostic(TemplateFields.At(scalar, offset), path, problem));
                }
            }
        }
    }

    private string? CheckHost(string[] parts, IReadOnlyList<string> hosts)
    {
        if (!HostKeys.Contains(parts[1]))
        {
            return $"a host has no '{parts[1]}'{Suggest.Hint(parts[1], HostKeys)}; a host has: {string.Join(", ", HostKeys)}";
        }

        if (parts[1] != "vars" || parts.Length < 3)
        {
            return null;
        }

        var lacking = hosts
            .Select(h =>
                (
                    Host: h,
                    Problem: Missing(
                        PlainValue.FromTyped(_environment.Hosts[h].Vars),
                        parts.AsSpan(2),
                        "vars",
                        $"host '{h}' of environment '{_environment.Id}'")))
            .Where(h => h.Problem is not null)
            .ToList();
        if (lacking.Count <= 1)
        {
            return lacking.Count == 0 ? null : lacking[0].Problem;
        }

        var key = "vars." + string.Join('.', parts[2..]);
        return $"hosts {string.Join(", ", lacking.Select(h => $"'{h.Host}'"))} of environment '{_environment.Id}' have no '{key}' (the loop reaches "
            + $"{string.Join(", ", hosts)}); {lacking[0].Problem}";
    }

    /// <summary>Walks <paramref name="keys"/> down a plain value; the first key a mapping lacks is the problem. Lists, scalars and nulls end the
    /// check.</summary>
    private static string? Missing(object? value, ReadOnlySpan<string> keys, string walked, string owner)
    {
        foreach (var key in keys)
        {
            if (value is not IReadOnlyDictionary<string, object?> mapping)
            {
                return null;
            }

            var here = walked.Length == 0 ? key : $"{walked}.{key}";
            if (!mapping.TryGetValue(key, out value))
            {
                var has = mapping.Count == 0
                    ? walked.Length == 0 ? "it is empty" : $"its {walked} is empty"
                    : $"{(walked.Length == 0 ? "it" : walked)} has: {string.Join(", ", mapping.Keys.Order(StringComparer.Ordinal))}";
                return $"{owner} has no '{here}'{Suggest.Hint(key, mapping.Keys)}; {has}";
            }

            walked = here;
        }

        return null;
    }

    /// <summary>Whether the reference ending at <paramref name="end"/> is followed by <c>??</c> (a fallback when it is missing).</summary>
    private static bool HasFallback(string text, int end)
    {
        var rest = text.AsSpan(end).TrimStart();
        return rest.StartsWith("??", StringComparison.Ordinal);
    }
}
