using System.Text.Json;
using Gantry.Engine.Documents;
using Gantry.Engine.Schema;

namespace Gantry.Server.Definitions;

/// <summary>How one step differs between two versions; Before/After are the step's own fields (nested steps are compared separately).</summary>
public sealed record StepChange(string Key, string Change, object? Before, object? After);

/// <summary>A comparison of two versions of a workflow: top-level fields that changed and each step added, removed or changed.</summary>
public sealed record DefinitionDiff(string Id, int From, int To, IReadOnlyList<string> ChangedFields, IReadOnlyList<StepChange> Steps)
{
    private static readonly string[] NestedKeys = ["steps", "group", "parallel", "on_failure", "finally"];

    /// <summary>Steps are matched by id, or by position path when they have none.</summary>
    public static DefinitionDiff Compare(string id, int from, string before, int to, string after)
    {
        var a = Root(before, from);
        var b = Root(after, to);
        var fields = a.Entries.Select(e => e.Key).Union(b.Entries.Select(e => e.Key))
            .Where(k => k is not "steps" and not "on_failure")
            .Where(k => Json(a[k]) != Json(b[k]))
            .Order(StringComparer.Ordinal)
            .ToList();
        var stepsA = Flatten(a);
        var stepsB = Flatten(b);
        var changes = new List<StepChange>();
        foreach (var (key, value) in stepsA)
        {
            if (!stepsB.TryGetValue(key, out var other))
            {
                changes.Add(new StepChange(key, "removed", value, null));
            }
            else if (Json(value) != Json(other))
            {
                changes.Add(new StepChange(key, "changed", value, other));
            }
        }

        changes.AddRange(stepsB.Where(s => !stepsA.ContainsKey(s.Key)).Select(s => new StepChange(s.Key, "added", null, s.Value)));
        return new DefinitionDiff(id, from, to, fields, changes);
    }

    private static DocMapping Root(string text, int version) =>
        DocumentReader.Parse(text, $"version {version}") as DocMapping ?? new DocMapping([], SourceLocation.None);

    private static Dictionary<string, Dictionary<string, object?>> Flatten(DocMapping root)
    {
        var result = new Dictionary<string, Dictionary<string, object?>>(StringComparer.Ordinal);
        void Walk(DocNode? node, string path)
        {
            if (node is not DocSequence sequence)
            {
                return;
            }

            for (var i = 0; i < sequence.Items.Count; i++)
            {
                if (sequence.Items[i] is not DocMapping step)
                {
                    continue;
                }

                var key = (step["id"] as DocScalar)?.Text ?? $"{path}[{i}]";
                result.TryAdd(key, step.Entries.Where(e => !NestedKeys.Contains(e.Key)).ToDictionary(e => e.Key, e => PlainValue.FromDoc(e.Value), StringComparer.Ordinal));
                foreach (var nested in NestedKeys)
                {
                    Walk(step[nested], $"{key}.{nested}");
                }
            }
        }

        Walk(root["steps"], "steps");
        Walk(root["on_failure"], "on_failure");
        return result;
    }

    private static string Json(object? value) => JsonSerializer.Serialize(value is DocNode node ? PlainValue.FromDoc(node) : value);
}
