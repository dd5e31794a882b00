using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Validation;

/// <summary>Literal group and host names in step inputs must exist in the environment the workflow is validated against.</summary>
internal static class EnvironmentTargetRules
{
    /// <summary>Targets that name groups by their load-balancer state instead of by name.</summary>
    public static readonly string[] StateTargets = ["out", "live", "all"];

    public static void Check(WorkflowDefinition workflow, EnvironmentDefinition environment, DiagnosticBag diagnostics)
    {
        foreach (var step in workflow.AllSteps().OfType<ActionStep>())
        {
            if (step.With is null)
            {
                continue;
            }

            var path = $"{step.Path}.with";
            var groupActivity = step.Uses.StartsWith("lb.", StringComparison.Ordinal) || step.Uses.StartsWith("deploy.", StringComparison.Ordinal)
                || step.Uses.StartsWith("ssh.", StringComparison.Ordinal);
            foreach (var entry in step.With.Entries)
            {
                switch (entry.Key)
                {
                    case "group" or "groups" when groupActivity:
                        CheckNames(entry.Value, $"{path}.{entry.Key}", "group", environment.Groups.Keys, [], environment, diagnostics);
                        break;
                    case "target" when groupActivity:
                        CheckNames(entry.Value, $"{path}.{entry.Key}", "group", environment.Groups.Keys, StateTargets, environment, diagnostics);
                        break;
                    case "host" or "hosts":
                        CheckNames(entry.Value, $"{path}.{entry.Key}", "host", environment.Hosts.Keys, [], environment, diagnostics);
                        break;
                }
            }
        }
    }

    private static void CheckNames(
        DocNode node,
        string path,
        string what,
        IEnumerable<string> known,
        string[] alsoAllowed,
        EnvironmentDefinition environment,
        DiagnosticBag diagnostics)
    {
        var names = known.ToList();
        var items = node is DocSequence sequence ? sequence.Items.Select((n, i) => (n, $"{path}[{i}]")) : [(node, path)];
        foreach (var (item, itemPath) in items)
        {
            if (item is not DocScalar { Kind: ScalarKind.String, IsTemplate: false, Text: { } name }
                || names.Contains(name)
                || alsoAllowed.Contains(name))
            {
                continue;
            }

            var has =
                names.Count == 0 ? $"environment {environment.Id} has no {what}s" : $"environment {environment.Id} has: {string.Join(", ", names)}";
            var also = alsoAllowed.Length == 0 ? "" : $"; or one of {string.Join(", ", alsoAllowed)}";
            diagnostics.Add(item, itemPath, $"unknown {what} '{name}' ({has}{also})");
        }
    }
}
