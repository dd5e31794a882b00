using System.Text.RegularExpressions;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Loading;

/// <summary>Turns a workflow document tree into a <see cref="WorkflowDefinition"/>, reporting every structural problem.</summary>
internal static partial class WorkflowBinder
{
    private static readonly string[] TopLevelKeys =
    [
        "id",
        "name",
        "description",
        "inputs",
        "outputs",
        "concurrency",
        "steps",
        "on_failure",
        "on",
        "on_error",];
    private static readonly string[] CommonStepKeys = ["id", "name", "if", "timeout", "retry", "continue_on_error", "on_error"];
    private static readonly string[] InputTypes = ["string", "number", "integer", "boolean", "array", "object"];

    public static WorkflowDefinition? Bind(DocNode root, string file, string text, DiagnosticBag diagnostics)
    {
        if (root is not DocMapping mapping)
        {
            diagnostics.Add(root, "", "expected a workflow mapping with id and steps");
            return null;
        }

        var reader = new MappingReader(mapping, "", diagnostics);
        reader.RejectUnknown(TopLevelKeys, "a workflow");
        var id = reader.String("id", required: true);
        if (id is not null && !IdPattern().IsMatch(id))
        {
            diagnostics.Add(mapping["id"]!, "id", $"'{id}' is not a valid id; use letters, digits, '-', '_' and '.'");
        }

        if (!reader.Has("steps"))
        {
            diagnostics.Add(mapping, "", "missing required field 'steps' (a list of steps)");
        }

        var inputs = BindInputs(reader, diagnostics);
        return new WorkflowDefinition
        {
            Id = id ?? Path.GetFileNameWithoutExtension(file),
            Name = reader.String("name"),
            Description = reader.String("description"),
            Inputs = inputs,
            Outputs = reader.Map("outputs")?.Entries ?? [],
            Concurrency = BindConcurrency(reader, diagnostics),
            Steps = BindSteps(reader.Sequence("steps"), "steps", diagnostics),
            OnFailure = BindSteps(reader.Sequence("on_failure"), "on_failure", diagnostics),
            OnError = OnErrorBinder.Bind(reader.Node("on_error"), "on_error", diagnostics),
            Triggers = BindTriggers(reader, diagnostics),
            Schedules = ScheduleBinder.Bind(reader.Map("on")?["schedule"], inputs, diagnostics),
            SourcePath = file,
            SourceText = text,
            Location = mapping.Location,
        };
    }

    private static List<InputDeclaration> BindInputs(MappingReader reader, DiagnosticBag diagnostics)
    {
        var inputs = new List<InputDeclaration>();
        foreach (var entry in reader.Map("inputs")?.Entries ?? [])
        {
            var path = $"inputs.{entry.Key}";
            if (entry.Value is not DocMapping declaration)
            {
                diagnostics.Add(entry.Value, path, "expected a mapping such as { type: string, default: x }");
                continue;
            }

            var input = new MappingReader(declaration, path, diagnostics);
            input.RejectUnknown(["type", "default", "description", "required", "enum"], "an input");
            var type = input.String("type") ?? "string";
            if (!InputTypes.Contains(type))
            {
                diagnostics.Add(declaration["type"]!, $"{path}.type", $"unknown type '{type}'; expected one of: {string.Join(", ", InputTypes)}");
            }

            var choices = input.Bind<List<string>>("enum");
            inputs.Add(new InputDeclaration(entry.Key, type, declaration["default"], input.String("description"),
                input.Bind<bool?>("required") ?? false, choices, entry.KeyLocation));
        }

        return inputs;
    }

    private static ConcurrencySettings? BindConcurrency(MappingReader reader, DiagnosticBag diagnostics)
    {
        switch (reader.Node("concurrency"))
        {
            case null:
                return null;
            case DocScalar { Kind: ScalarKind.String } key:
                return new ConcurrencySettings(key.Text!, ConcurrencyQueue.All, key.Location);
            case DocMapping map:
                var settings = new MappingReader(map, "concurrency", diagnostics);
                settings.RejectUnknown(["key", "queue"], "concurrency");
                return new ConcurrencySettings(
                    settings.String("key", required: true) ?? "",
                    settings.Bind<ConcurrencyQueue?>("queue") ?? ConcurrencyQueue.All,
                    map.Location);
            case var other:
                diagnostics.Add(other, "concurrency", "expected a key template or { key, queue: all | reject | latest }");
                return null;
        }
    }

    private static List<TriggerDeclaration> BindTriggers(MappingReader reader, DiagnosticBag diagnostics)
    {
        var triggers = new List<TriggerDeclaration>();
        foreach (var entry in (reader.Map("on")?.Entries ?? []).Where(e => e.Key != "schedule"))
        {
            var settings = new Dictionary<string, string>();
            if (entry.Value is DocMapping map)
            {
                foreach (var setting in map.Entries)
                {
                    settings[setting.Key] = (setting.Value as DocScalar)?.Text ?? "";
                }
            }
            else if (entry.Value is not DocScalar { Kind: ScalarKind.Null })
            {
                diagnostics.Add(entry.Value, $"on.{entry.Key}", "expected a mapping of trigger settings");
            }

            triggers.Add(new TriggerDeclaration(entry.Key, settings, entry.KeyLocation));
        }

        return triggers;
    }

    internal static List<StepNode> BindSteps(DocSequence? sequence, string path, DiagnosticBag diagnostics)
    {
        var steps = new List<StepNode>();
        if (sequence is null)
        {
            return steps;
        }

        for (var i = 0; i < sequence.Items.Count; i++)
        {
            var stepPath = $"{path}[{i}]";
            if (sequence.Items[i] is not DocMapping map)
            {
                diagnostics.Add(sequence.Items[i], stepPath, "expected a step (a mapping with 'uses', 'group', 'parallel' or 'foreach')");
                continue;
            }

            if (BindStep(map, stepPath, diagnostics) is { } step)
            {
                steps.Add(step);
            }
        }

        return steps;
    }

    private static StepNode? BindStep(DocMapping map, string path, DiagnosticBag diagnostics)
    {
        var reader = new MappingReader(map, path, diagnostics);
        var kinds = new[] { "uses", "group", "parallel", "foreach" }.Where(reader.Has).ToList();
        if (kinds.Count != 1)
        {
            diagnostics.Add(map, path, kinds.Count == 0
                ? "a step needs one of 'uses', 'group', 'parallel' or 'foreach'"
                : $"a step has exactly one of 'uses', 'group', 'parallel' or 'foreach'; found {string.Join(" and ", kinds)}");
            return null;
        }

        var id = reader.String("id");
        if (id is not null && !IdPattern().IsMatch(id))
        {
            diagnostics.Add(map["id"]!, $"{path}.id", $"'{id}' is not a valid step id; use letters, digits, '-' and '_', starting with a letter");
        }

        var common = new CommonFields(
            id,
            reader.String("name"),
            map["if"] as DocScalar,
            reader.Bind<TimeSpan?>("timeout"),
            BindRetry(reader),
            reader.Bind<bool?>("continue_on_error") ?? false,
            OnErrorBinder.Bind(reader.Node("on_error"), $"{path}.on_error", diagnostics));
        if (map["if"] is { } condition and not DocScalar)
        {
            diagnostics.Add(condition, $"{path}.if", "expected a condition such as \"{{ inputs.dry_run == false }}\"");
        }

        return kinds[0] switch
        {
            "uses" => BindAction(reader, path, map, common),
            "group" => BindGroup(reader, path, map, common),
            "parallel" => BindParallel(reader, path, map, common),
            _ => BindForeach(reader, path, map, common),
        };
    }

    private static StepNode BindAction(MappingReader reader, string path, DocMapping map, CommonFields common)
    {
        var uses = reader.String("uses") ?? "";
        var with = reader.Map("with");
        if (uses == "workflow.call")
        {
            reader.RejectUnknown([.. CommonStepKeys, "uses", "with"], "a step");
            var call = with is null ? null : new MappingReader(with, $"{path}.with", reader.Diagnostics);
            call?.RejectUnknown(["workflow", "version", "inputs"], "workflow.call");
            if (call?.String("workflow", required: true) is null && with is null)
            {
                reader.Diagnostics.Add(map, path, "workflow.call needs 'with: { workflow: <id>, inputs: { ... } }'");
            }

            return common.Apply(new CallStep
            {
                Path = path,
                Location = map.Location,
                Workflow = call?.String("workflow") ?? "",
                WorkflowLocation = with?["workflow"]?.Location ?? map.Location,
                Version = call?.Bind<int?>("version"),
                VersionLocation = with?["version"]?.Location ?? map.Location,
                Inputs = call?.Map("inputs"),
            });
        }

        reader.RejectUnknown([.. CommonStepKeys, "uses", "with"], "a step");
        return common.Apply(new ActionStep { Path = path, Location = map.Location, Uses = uses, UsesLocation = map["uses"]!.Location, With = with });
    }

    private static StepNode BindGroup(MappingReader reader, string path, DocMapping map, CommonFields common)
    {
        reader.RejectUnknown([.. CommonStepKeys, "group", "on_failure", "finally"], "a group");
        return common.Apply(new GroupStep
        {
            Path = path,
            Location = map.Location,
            Steps = BindSteps(reader.Sequence("group"), $"{path}.group", reader.Diagnostics),
            OnFailure = BindSteps(reader.Sequence("on_failure"), $"{path}.on_failure", reader.Diagnostics),
            Finally = BindSteps(reader.Sequence("finally"), $"{path}.finally", reader.Diagnostics),
        });
    }

    private static StepNode BindParallel(MappingReader reader, string path, DocMapping map, CommonFields common)
    {
        reader.RejectUnknown([.. CommonStepKeys, "parallel"], "a parallel block");
        return common.Apply(new ParallelStep
        {
            Path = path,
            Location = map.Location,
            Branches = BindSteps(reader.Sequence("parallel"), $"{path}.parallel", reader.Diagnostics),
        });
    }

    private static StepNode BindForeach(MappingReader reader, string path, DocMapping map, CommonFields common)
    {
        reader.RejectUnknown([.. CommonStepKeys, "foreach", "as", "max_parallel", "steps"], "a foreach block");
        var maxParallel = reader.Bind<int?>("max_parallel") ?? 1;
        if (maxParallel < 1)
        {
            reader.Diagnostics.Add(map["max_parallel"]!, $"{path}.max_parallel", $"expected a number of at least 1, found {maxParallel}");
        }

        var alias = reader.String("as") ?? "item";
        if (!IdPattern().IsMatch(alias))
        {
            reader.Diagnostics.Add(map["as"]!, $"{path}.as", $"'{alias}' is not a valid variable name");
        }

        return common.Apply(new ForeachStep
        {
            Path = path,
            Location = map.Location,
            Items = map["foreach"]!,
            As = alias,
            MaxParallel = Math.Max(1, maxParallel),
            Steps = BindSteps(reader.Sequence("steps"), $"{path}.steps", reader.Diagnostics),
        });
    }

    private static RetrySettings? BindRetry(MappingReader reader)
    {
        switch (reader.Node("retry"))
        {
            case null:
                return null;
            case DocScalar { Kind: ScalarKind.Integer } attempts:
                return new RetrySettings((int)(long)attempts.ToPlainValue()!, TimeSpan.FromSeconds(1), BackoffKind.Exponential, null, []);
            case DocMapping map:
                var retry = new MappingReader(map, reader.FieldPath("retry"), reader.Diagnostics);
                retry.RejectUnknown(["attempts", "delay", "backoff", "max_delay", "on"], "retry");
                return new RetrySettings(
                    retry.Bind<int?>("attempts") ?? 3,
                    retry.Bind<TimeSpan?>("delay") ?? TimeSpan.FromSeconds(1),
                    retry.Bind<BackoffKind?>("backoff") ?? BackoffKind.Exponential,
                    retry.Bind<TimeSpan?>("max_delay"),
                    retry.Bind<List<string>>("on") ?? []);
            case var other:
                reader.Diagnostics.Add(
                    other,
                    reader.FieldPath("retry"),
                    "expected a number of attempts or { attempts, delay, backoff, max_delay, on }");
                return null;
        }
    }

    private sealed record CommonFields(
        string? Id,
        string? Name,
        DocScalar? If,
        TimeSpan? Timeout,
        RetrySettings? Retry,
        bool ContinueOnError,
        OnErrorSettings? OnError)
    {
        public T Apply<T>(T step)
            where T : StepNode
        {
            step.Id = Id;
            step.Name = Name;
            step.If = If;
            step.Timeout = Timeout;
            step.Retry = Retry;
            step.ContinueOnError = ContinueOnError;
            step.OnError = OnError;
            return step;
        }
    }

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_.-]*$")]
    private static partial Regex IdPattern();
}
