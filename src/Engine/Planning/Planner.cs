using System.Text.RegularExpressions;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;
using Gantry.Engine.Validation;

namespace Gantry.Engine.Planning;

/// <summary>
/// Makes a <see cref="WorkflowPlan"/>: walks the step tree in execution order, renders inputs over
/// the run's inputs, the environment and run, expands <c>workflow.call</c> and foreach loops whose
/// items are known, and masks secrets. Touches nothing outside the process.
/// </summary>
public sealed class Planner(ValidationContext context)
{
    /// <summary>Shown for every value that depends on what earlier steps return.</summary>
    public const string RuntimeValue = "(resolved at run time)";

    private const int MaxCallDepth = 16;

    /// <summary>Plans <paramref name="workflow"/> with the inputs given on the command line (text, read as YAML scalars).</summary>
    public PlanResult Plan(WorkflowDefinition workflow, IReadOnlyDictionary<string, string> inputs, SecretMasker? masker = null)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        ArgumentNullException.ThrowIfNull(inputs);

        masker ??= new SecretMasker();
        var diagnostics = new DiagnosticBag();
        var given = PlanInputs.Parse(workflow, inputs, diagnostics);
        if (diagnostics.HasErrors)
        {
            return new PlanResult(null, diagnostics.Items);
        }

        var environment = context.Environment;
        var secrets = new PlanSecrets(environment, masker);
        var walker = new Walker(this, environment, secrets, masker);
        var scope = walker.Scope(workflow, given);
        var plan = new WorkflowPlan(
            workflow.Id,
            environment?.Id,
            (IReadOnlyDictionary<string, object?>)masker.Apply(scope.Templates.Variables["inputs"])!,
            walker.Steps(workflow.Steps, scope, [workflow.Id]),
            walker.Steps(workflow.OnFailure, scope, [workflow.Id]));
        return new PlanResult(plan, []);
    }

    private sealed class Walker(Planner planner, EnvironmentDefinition? environment, PlanSecrets secrets, SecretMasker masker)
    {
        private static readonly string[] GroupInputs = ["group", "groups", "target"];

        public PlanScope Scope(WorkflowDefinition workflow, IReadOnlyDictionary<string, object?> inputs)
        {
            var values = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var input in workflow.Inputs)
            {
                values[input.Name] =
                    inputs.TryGetValue(input.Name, out var value) ? value
                    : input.Default is null ? null
                    : PlainValue.FromDoc(input.Default);
            }

            var scope = new TemplateScope(secrets)
                .Set("inputs", values)
                .Set("env", EnvironmentVariable.Of(environment))
                .Set("run", new Dictionary<string, object?> { ["id"] = "plan", ["workflow"] = workflow.Id });
            return new PlanScope(scope, ["steps"]);
        }

        public List<PlanNode> Steps(IReadOnlyList<StepNode> steps, PlanScope scope, IReadOnlyList<string> callers) =>
            steps.Select(s => Step(s, scope, callers)).ToList();

        private PlanNode Step(StepNode step, PlanScope scope, IReadOnlyList<string> callers)
        {
            var notes = new List<string>();
            var (condition, skipped) = Condition(step, scope);
            if (step.Timeout is { } timeout)
            {
                notes.Add($"timeout {Duration.Format(timeout)}");
            }

            if (step.Retry is { } retry)
            {
                notes.Add(
                    $"retry {retry.Attempts} attempts, {retry.Backoff.ToString().ToLowerInvariant()} backoff from {Duration.Format(retry.Delay)}");
            }

            if (step.ContinueOnError)
            {
                notes.Add("continues on error");
            }

            if (skipped)
            {
                notes.Add("skipped: the condition is false");
            }

            var node = new PlanNode(Kind(step), Mask(step.Label), step.Path, null, new Dictionary<string, object?>(), null, condition, notes, []);
            return skipped ? node : step switch
            {
                ActionStep action => Action(action, node, scope),
                CallStep call => Call(call, node, scope, callers),
                GroupStep group => node with
                {
                    Children = [
                        .. Steps(group.Steps, scope, callers),
                        .. Block("on_failure", $"{group.Path}.on_failure", group.OnFailure, scope, callers),
                        .. Block("finally", $"{group.Path}.finally", group.Finally, scope, callers),
                    ],
                },
                ParallelStep parallel => node with { Children = Steps(parallel.Branches, scope, callers) },
                ForeachStep loop => Foreach(loop, node, scope, callers),
                _ => node,
            };
        }

        private IEnumerable<PlanNode> Block(
            string kind,
            string path,
            IReadOnlyList<StepNode> steps,
            PlanScope scope,
            IReadOnlyList<string> callers
        ) =>
            steps.Count == 0
                ? []
                : [new PlanNode(kind, kind, path, null, new Dictionary<string, object?>(), null, null, [], Steps(steps, scope, callers))];

        private PlanNode Action(ActionStep step, PlanNode node, PlanScope scope)
        {
            var inputs = step.With is null ? new Dictionary<string, object?>() : RenderInputs(step, step.With, scope);
            string? target = null;
            if (step.Uses.StartsWith("lb.", StringComparison.Ordinal) || step.Uses.StartsWith("deploy.", StringComparison.Ordinal))
            {
                target = string.Join("; ", GroupInputs.Where(inputs.ContainsKey).Select(k => Target(inputs[k])));
            }

            return node with { Uses = step.Uses, Inputs = inputs, Target = string.IsNullOrEmpty(target) ? null : Mask(target) };
        }

        private PlanNode Call(CallStep step, PlanNode node, PlanScope scope, IReadOnlyList<string> callers)
        {
            var inputs = step.Inputs is null ? new Dictionary<string, object?>() : (Dictionary<string, object?>)Render(step.Inputs, scope)!;
            node = node with { Uses = $"workflow.call {step.Workflow}", Inputs = inputs };
            var callee = planner.Find(step.Workflow);
            if (callee is null)
            {
                return node with { Notes = [.. node.Notes, $"workflow '{step.Workflow}' is not known; not expanded"] };
            }

            if (callers.Contains(callee.Id) || callers.Count >= MaxCallDepth)
            {
                return node with { Notes = [.. node.Notes, $"call cycle {string.Join(" → ", callers.Append(callee.Id))}; not expanded"] };
            }

            var inner = Scope(callee, inputs);
            return node with { Children = Steps(callee.Steps, inner, [.. callers, callee.Id]) };
        }

        private PlanNode Foreach(ForeachStep step, PlanNode node, PlanScope scope, IReadOnlyList<string> callers)
        {
            var items = Render(step.Items, scope);
            node = node with { Notes = [.. node.Notes, $"max_parallel {step.MaxParallel}"] };
            if (items is not List<object?> list)
            {
                var unknown = new PlanScope(scope.Templates.With(step.As, RuntimeValue), [.. scope.Unknown, step.As, "host"]);
                var each = new PlanNode(
                    "item",
                    $"each {step.As} (items {RuntimeValue})",
                    step.Path,
                    null,
                    new Dictionary<string, object?>(),
                    null,
                    null,
                    [],
                    Steps(step.Steps, unknown, callers));
                return node with { Children = [each] };
            }

            var children = new List<PlanNode>();
            foreach (var item in list)
            {
                var itemScope = scope.Templates.With(step.As, item);
                var label = $"{step.As} = {Text(item)}";
                if (item is string name && environment?.Hosts.TryGetValue(name, out var host) == true)
                {
                    var hostValue = PlainValue.FromTyped(host) as Dictionary<string, object?> ?? [];
                    hostValue["name"] = name;
                    hostValue["group"] = environment.GroupOf(name);
                    itemScope = itemScope.With("host", hostValue);
                    if (step.As == "host")
                    {
                        label = $"host {name} ({host.Address})";
                    }
                }

                var steps = Steps(step.Steps, new PlanScope(itemScope, scope.Unknown), callers);
                children.Add(new PlanNode("item", Mask(label), step.Path, null, new Dictionary<string, object?>(), null, null, [], steps));
            }

            return node with { Children = children };
        }

        private (string? Condition, bool Skipped) Condition(StepNode step, PlanScope scope)
        {
            if (step.If is not { } condition)
            {
                return (null, false);
            }

            var text = $"if {Mask(condition.Text)}";
            if (scope.DependsOnRun(condition))
            {
                return ($"{text} → decided at run time", false);
            }

            try
            {
                var value = TemplateRenderer.IsTrue(condition, scope.Templates);
                return ($"{text} → {(value ? "true" : "false")}", !value);
            }
            catch (TemplateException ex)
            {
                return ($"{text} → error: {Mask(ex.Reason)}", false);
            }
        }

        private string Target(object? value) => value switch
        {
            "out" => "the group the load balancer reports out — resolved at run time",
            "live" => "the groups the load balancer reports live — resolved at run time",
            "all" when environment is not null => $"all groups: {string.Join(", ", environment.Groups.Keys)}",
            "all" => "all groups",
            RuntimeValue => RuntimeValue,
            string group when environment?.Groups.TryGetValue(group, out var settings) == true =>
                $"group {group}: {(settings.Hosts.Count == 0 ? "no hosts" : string.Join(", ", settings.Hosts))}",
            string group => $"group {group}",
            IEnumerable<object?> groups => string.Join("; ", groups.Select(Target)),
            _ => Text(value),
        };

        /// <summary>A step's inputs as the run would render them: sensitive ones with secrets (shown masked), per-host ones as written.</summary>
        private Dictionary<string, object?> RenderInputs(ActionStep step, DocMapping with, PlanScope scope)
        {
            planner.Activities.TryGet(step.Uses, out var descriptor);
            var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var entry in with.Entries)
            {
                inputs[entry.Key] =
                    descriptor?.PerHostInputs.Contains(entry.Key) == true && entry.Value is DocScalar written ? masker.Apply(written.ToPlainValue())
                    : descriptor?.SensitiveInputs.Contains(entry.Key) == true && !scope.DependsOnRunAnywhere(entry.Value)
                        ? RenderSensitive(entry.Value, scope)
                    : Render(entry.Value, scope);
            }

            return inputs;
        }

        private object? RenderSensitive(DocNode node, PlanScope scope)
        {
            try
            {
                return masker.Apply(TemplateRenderer.RenderSensitive(node, scope.Templates));
            }
            catch (TemplateException ex)
            {
                return $"(template error: {Mask(ex.Reason)})";
            }
        }

        /// <summary>Renders every template in a value; those that read step outputs (or unknown loop items) stay <see
        /// cref="RuntimeValue"/>.</summary>
        private object? Render(DocNode node, PlanScope scope) => node switch
        {
            DocScalar { IsTemplate: true } scalar when scope.DependsOnRun(scalar) => RuntimeValue,
            DocScalar { IsTemplate: true } scalar => Evaluate(scalar, scope),
            DocScalar scalar => masker.Apply(scalar.ToPlainValue()),
            DocSequence sequence => sequence.Items.Select(i => Render(i, scope)).ToList(),
            DocMapping mapping => mapping.Entries.ToDictionary(e => e.Key, e => Render(e.Value, scope), StringComparer.Ordinal),
            _ => null,
        };

        private object? Evaluate(DocScalar scalar, PlanScope scope)
        {
            try
            {
                return masker.Apply(TemplateRenderer.Evaluate(scalar, scope.Templates));
            }
            catch (TemplateException ex)
            {
                return $"(template error: {Mask(ex.Reason)})";
            }
        }

        private string Mask(string? text) => masker.Apply(text);

        private static string Text(object? value) => value switch
        {
            null => "null",
            string s => s,
            bool b => b ? "true" : "false",
            IEnumerable<object?> items => "[" + string.Join(", ", items.Select(Text)) + "]",
            _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture) ?? "",
        };

        private static string Kind(StepNode step) => step switch
        {
            ActionStep => "action",
            CallStep => "call",
            GroupStep => "group",
            ParallelStep => "parallel",
            _ => "foreach",
        };
    }

    private WorkflowDefinition? Find(string id) => context.Workflows.GetValueOrDefault(id);

    private Activities.ActivityRegistry Activities => context.Activities;

    /// <summary>Template variables, and the names whose values exist only during the run.</summary>
    private sealed record PlanScope(TemplateScope Templates, IReadOnlyList<string> Unknown)
    {
        public bool DependsOnRunAnywhere(DocNode node) => node switch
        {
            DocScalar { IsTemplate: true } scalar => DependsOnRun(scalar),
            DocSequence sequence => sequence.Items.Any(DependsOnRunAnywhere),
            DocMapping mapping => mapping.Entries.Any(e => DependsOnRunAnywhere(e.Value)),
            _ => false,
        };

        public bool DependsOnRun(DocScalar scalar) =>
            TemplateRenderer.References(scalar.Text ?? "").Any(r => Unknown.Contains(r.Path.Split('.')[0]))
            || Unknown.Any(name => name != "steps" && Regex.IsMatch(scalar.Text ?? "", $@"\b{Regex.Escape(name)}\b"));
    }
}
