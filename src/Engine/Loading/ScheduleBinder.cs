using Cronos;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Loading;

/// <summary>
/// Reads <c>on.schedule</c>: one mapping or a list of them, each
/// <c>{ cron, timezone, environment, inputs, missed: run-once | skip }</c>. A bad cron expression,
/// an unknown time zone, a bad missed value or an input the workflow does not declare is a located error.
/// </summary>
internal static class ScheduleBinder
{
    private static readonly string[] Keys = ["cron", "timezone", "environment", "inputs", "missed"];

    public static List<ScheduleDeclaration> Bind(DocNode? node, IReadOnlyList<InputDeclaration> inputs, DiagnosticBag diagnostics)
    {
        var schedules = new List<ScheduleDeclaration>();
        switch (node)
        {
            case null or DocScalar { Kind: ScalarKind.Null }:
                break;
            case DocMapping mapping:
                Add(mapping, 0, "on.schedule", inputs, diagnostics, schedules);
                break;
            case DocSequence sequence:
                for (var i = 0; i < sequence.Items.Count; i++)
                {
                    if (sequence.Items[i] is DocMapping item)
                    {
                        Add(item, i, $"on.schedule[{i}]", inputs, diagnostics, schedules);
                    }
                    else
                    {
                        diagnostics.Add(
                            sequence.Items[i],
                            $"on.schedule[{i}]",
                            "expected a schedule mapping { cron, timezone, environment, inputs, missed }");
                    }
                }

                break;
            default:
                diagnostics.Add(node, "on.schedule", "expected a schedule mapping { cron, timezone, environment, inputs, missed } or a list of them");
                break;
        }

        return schedules;
    }

    private static void Add(
        DocMapping mapping,
        int index,
        string path,
        IReadOnlyList<InputDeclaration> inputs,
        DiagnosticBag diagnostics,
        List<ScheduleDeclaration> schedules)
    {
        var before = diagnostics.Items.Count;
        foreach (var entry in mapping.Entries.Where(e => !Keys.Contains(e.Key)))
        {
            diagnostics.Add(
                entry.KeyLocation,
                $"{path}.{entry.Key}",
                $"unknown field '{entry.Key}'{Suggest.Hint(entry.Key, Keys)}; expected one of: {string.Join(", ", Keys)}");
        }

        var cron = Cron(mapping, path, diagnostics);
        var zone = Zone(mapping, path, diagnostics);
        var missed = Missed(mapping, path, diagnostics);
        var environment = (mapping["environment"] as DocScalar)?.Text;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (mapping["inputs"] is DocMapping given)
        {
            foreach (var entry in given.Entries)
            {
                if (inputs.All(i => i.Name != entry.Key))
                {
                    var declared =
                        inputs.Count == 0 ? "the workflow declares no inputs" : $"declared inputs: {string.Join(", ", inputs.Select(i => i.Name))}";
                    diagnostics.Add(
                        entry.KeyLocation,
                        $"{path}.inputs.{entry.Key}",
                        $"unknown input '{entry.Key}'{Suggest.Hint(entry.Key, inputs.Select(i => i.Name))}; {declared}");
                }

                values[entry.Key] = PlainValue.FromDoc(entry.Value);
            }
        }
        else if (mapping["inputs"] is { } other)
        {
            diagnostics.Add(other, $"{path}.inputs", "expected a mapping of input names to values");
        }

        if (cron is not null && zone is not null && diagnostics.Items.Count == before)
        {
            schedules.Add(
                new ScheduleDeclaration(index, cron.Value.Text, cron.Value.Expression, zone, environment, values, missed, mapping.Location));
        }
    }

    private static (string Text, CronExpression Expression)? Cron(DocMapping mapping, string path, DiagnosticBag diagnostics)
    {
        if (mapping["cron"] is not DocScalar { Text: { Length: > 0 } text } scalar)
        {
            diagnostics.Add(
                mapping["cron"] ?? mapping,
                $"{path}.cron",
                "missing cron expression, e.g. cron: \"0 10 * * 1-5\" (minute hour day-of-month month day-of-week)");
            return null;
        }

        try
        {
            return (text.Trim(), CronExpression.Parse(text.Trim(), CronFormat.Standard));
        }
        catch (CronFormatException ex)
        {
            diagnostics.Add(
                scalar,
                $"{path}.cron",
                $"invalid cron expression '{text}': {ex.Message.TrimEnd('.')}; expected five fields: minute hour day-of-month month day-of-week, "
                + "e.g. \"0 10 * * 1-5\"");
            return null;
        }
    }

    private static TimeZoneInfo? Zone(DocMapping mapping, string path, DiagnosticBag diagnostics)
    {
        if (mapping["timezone"] is not DocScalar { Text: { Length: > 0 } name } scalar)
        {
            return TimeZoneInfo.Utc;
        }

        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(name);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            diagnostics.Add(scalar, $"{path}.timezone", $"unknown time zone '{name}'; expected an IANA name such as Europe/Amsterdam or UTC");
            return null;
        }
    }

    private static MissedTickPolicy Missed(DocMapping mapping, string path, DiagnosticBag diagnostics)
    {
        switch (mapping["missed"])
        {
            case null:
            case DocScalar { Text: "run-once" }:
                return MissedTickPolicy.RunOnce;
            case DocScalar { Text: "skip" }:
                return MissedTickPolicy.Skip;
            case var other:
                diagnostics.Add(
                    other,
                    $"{path}.missed",
                    $"unknown missed value '{(other as DocScalar)?.Text}'; expected run-once (start the newest missed tick once when a node comes "
                    + "back) or skip");
                return MissedTickPolicy.RunOnce;
        }
    }
}
