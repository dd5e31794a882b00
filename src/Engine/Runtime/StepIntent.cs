using Gantry.Engine.Activities;

namespace Gantry.Engine.Runtime;

/// <summary>A step instance's intent in its run: read from the journal on resume, journaled (fenced) before the step acts.</summary>
internal sealed class StepIntent(RunContext run, string path) : IStepIntent
{
    public IReadOnlyDictionary<string, object?>? Recorded => run.Intents.GetValueOrDefault(path);

    public async Task RecordAsync(IReadOnlyDictionary<string, object?> intent, CancellationToken cancellationToken)
    {
        var copy = new Dictionary<string, object?>(intent, StringComparer.Ordinal);
        await run.Journal
            .AppendAsync(
                new JournalEvent
                {
                    Type = JournalEventTypes.StepIntent,
                    Path = path,
                    Payload = copy,
                    Message = Describe(copy),
                })
            .ConfigureAwait(false);
        run.Intents[path] = copy;
    }

    private static string Describe(IReadOnlyDictionary<string, object?> intent) =>
        "intent: "
        + string.Join(
            ", ",
            intent
                .Where(kv => kv.Value is not null)
                .Select(kv => $"{kv.Key} {(kv.Value is List<object?> list ? string.Join(" ", list) : kv.Value)}"));
}
