using System.Globalization;
using System.Text;
using Gantry.Engine.Documents;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Runtime;

/// <summary>What happened to a step between two versions.</summary>
public enum StepChangeKind { Added, Removed, Changed }

/// <summary>One field that differs: its old and new value as compact JSON (null when absent).</summary>
public sealed record FieldChange(string Field, string? Old, string? New);

/// <summary>
/// One step that differs. <see cref="Step"/> is its id, or its path when it has none; a step with
/// an id that moved into another block shows a <c>(position)</c> field change from its old path to
/// its new one (moving within the same block, e.g. after an insertion above it, is not a change).
/// </summary>
public sealed record StepChange(StepChangeKind Kind, string Step, string? OldPath, string? NewPath, IReadOnlyList<FieldChange> Fields);

/// <summary>
/// A structured diff of two versions of a workflow document: changed top-level fields (inputs,
/// concurrency, outputs…) and steps added, removed or changed, matched by id (else by path), with
/// the fields that changed. Compares the documents as plain values, so formatting, comments and
/// key order do not count as changes.
/// </summary>
public sealed record DefinitionDiff(IReadOnlyList<FieldChange> Workflow, IReadOnlyList<StepChange> Steps)
{
    /// <summary>Keys whose value is a list of steps (nested step lists are compared step by step).</summary>
    private static readonly string[] StepListKeys = ["steps", "on_failure", "finally", "group", "parallel"];

    private static readonly Dictionary<string, string> NoFields = new(StringComparer.Ordinal);

    public bool IsEmpty => Workflow.Count == 0 && Steps.Count == 0;

    /// <summary>Compares two workflow documents; throws <see cref="DocumentSyntaxException"/> when one is not YAML or JSON.</summary>
    public static DefinitionDiff Compare(string oldText, string newText)
    {
        var before = Read(oldText, "old");
        var after = Read(newText, "new");
        var workflowFields = CompareFields(Fields(before), Fields(after));

        var oldSteps = StepsOf(before, "", "").ToList();
        var newSteps = StepsOf(after, "", "").ToList();
        var changes = new List<StepChange>();
        var matchedOld = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in newSteps)
        {
            var match = oldSteps.FirstOrDefault(o => o.Key == step.Key && !matchedOld.Contains(o.Path));
            if (match is null)
            {
                changes.Add(new StepChange(StepChangeKind.Added, step.Key, null, step.Path, CompareFields(NoFields, Fields(step.Node))));
                continue;
            }

            matchedOld.Add(match.Path);
            var fields = CompareFields(Fields(match.Node), Fields(step.Node)).ToList();
            if (match.Parent != step.Parent)
            {
                fields.Insert(0, new FieldChange("(position)", match.Path, step.Path));
            }

            if (fields.Count > 0)
            {
                changes.Add(new StepChange(StepChangeKind.Changed, step.Key, match.Path, step.Path, fields));
            }
        }

        foreach (var step in oldSteps.Where(o => !matchedOld.Contains(o.Path)))
        {
            changes.Add(new StepChange(StepChangeKind.Removed, step.Key, step.Path, null, CompareFields(Fields(step.Node), NoFields)));
        }

        return new DefinitionDiff(workflowFields, changes);
    }

    /// <summary>The diff as lines for people: <c>~ step deploy</c>, then <c>    with: {...} -> {...}</c>.</summary>
    public IEnumerable<string> Describe()
    {
        foreach (var field in Workflow)
        {
            yield return $"~ {field.Field}: {field.Old ?? "(none)"} -> {field.New ?? "(none)"}";
        }

        foreach (var step in Steps)
        {
            var mark = step.Kind switch { StepChangeKind.Added => "+", StepChangeKind.Removed => "-", _ => "~" };
            yield return $"{mark} step {step.Step} ({step.NewPath ?? step.OldPath})";
            foreach (var field in step.Fields)
            {
                yield return step.Kind switch
                {
                    StepChangeKind.Added => $"    {field.Field}: {field.New}",
                    StepChangeKind.Removed => $"    {field.Field}: {field.Old}",
                    _ => $"    {field.Field}: {field.Old ?? "(none)"} -> {field.New ?? "(none)"}",
                };
            }
        }
    }

    /// <summary>A step with its key (id or path) and its parent (the enclosing step's key and list name).</summary>
    private sealed record StepEntry(string Key, string Path, string Parent, Dictionary<string, object?> Node);

    private static Dictionary<string, object?> Read(string text, string name) =>
        PlainValue.FromDoc(DocumentReader.Parse(text, name)) as Dictionary<string, object?>
        ?? new Dictionary<string, object?>(StringComparer.Ordinal);

    private static IEnumerable<StepEntry> StepsOf(Dictionary<string, object?> node, string prefix, string parentKey)
    {
        foreach (var key in StepListKeys)
        {
            if (node.TryGetValue(key, out var value) && value is List<object?> list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    if (list[i] is not Dictionary<string, object?> step)
                    {
                        continue;
                    }

                    var path = $"{prefix}{key}[{i}]";
                    var stepKey = step.TryGetValue("id", out var id) && id is string text ? text : path;
                    yield return new StepEntry(stepKey, path, $"{parentKey}/{key}", step);
                    foreach (var nested in StepsOf(step, path + ".", stepKey))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }

    /// <summary>A node's own fields, without its nested step lists.</summary>
    private static Dictionary<string, string> Fields(Dictionary<string, object?> node) =>
        node.Where(kv => !(StepListKeys.Contains(kv.Key) && kv.Value is List<object?>))
            .ToDictionary(kv => kv.Key, kv => Json(kv.Value), StringComparer.Ordinal);

    private static List<FieldChange> CompareFields(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after) =>
        before.Keys.Union(after.Keys).Order(StringComparer.Ordinal)
            .Select(k => new FieldChange(k, before.GetValueOrDefault(k), after.GetValueOrDefault(k)))
            .Where(c => c.Old != c.New)
            .ToList();

    /// <summary>Compact JSON with sorted keys, so key order never reads as a change.</summary>
    private static string Json(object? value)
    {
        var text = new StringBuilder();
        Write(text, value);
        return text.ToString();
    }

    private static void Write(StringBuilder text, object? value)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case bool b:
                text.Append(b ? "true" : "false");
                break;
            case string s:
                text.Append(System.Text.Json.JsonSerializer.Serialize(s));
                break;
            case Dictionary<string, object?> map:
                text.Append('{');
                var first = true;
                foreach (var (key, item) in map.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    text.Append(first ? "" : ", ").Append(System.Text.Json.JsonSerializer.Serialize(key)).Append(": ");
                    Write(text, item);
                    first = false;
                }

                text.Append('}');
                break;
            case List<object?> list:
                text.Append('[');
                for (var i = 0; i < list.Count; i++)
                {
                    text.Append(i == 0 ? "" : ", ");
                    Write(text, list[i]);
                }

                text.Append(']');
                break;
            default:
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
