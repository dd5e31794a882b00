using Gantry.Engine.Runtime;

namespace Gantry.Server.Definitions;

/// <summary>
/// The API's answer to "what changed between two versions": the engine's structured diff (the one
/// <c>gantry definitions diff</c> prints) with the versions it compares.
/// </summary>
public sealed record DefinitionDiffView(string Id, int From, int To, IReadOnlyList<FieldChange> Workflow, IReadOnlyList<StepChange> Steps)
{
    public static DefinitionDiffView Compare(string id, int from, string before, int to, string after)
    {
        var diff = DefinitionDiff.Compare(before, after);
        return new DefinitionDiffView(id, from, to, diff.Workflow, diff.Steps);
    }
}
