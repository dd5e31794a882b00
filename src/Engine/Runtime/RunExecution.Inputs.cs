using System.Globalization;
using Gantry.Engine.Activities;
using Gantry.Engine.Documents;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

internal sealed partial class RunExecution
{
    /// <summary>
    /// Renders a step's <c>with:</c> once: sensitive inputs get their <c>{{ secrets.NAME }}</c>
    /// values, per-host inputs stay as written (the activity renders them per host, in one pass),
    /// every other input renders without secrets. Values inserted are data and never rendered again.
    /// </summary>
    private Dictionary<string, object?> RenderInputs(ActionStep step, TemplateScope scope, CancellationToken cancellationToken)
    {
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (step.With is not { } with)
        {
            return inputs;
        }

        _run.Registry.TryGet(step.Uses, out var descriptor);
        foreach (var entry in with.Entries)
        {
            inputs[entry.Key] = descriptor?.PerHostInputs.Contains(entry.Key) == true && entry.Value is DocScalar written
                ? written.ToPlainValue()
                : descriptor?.SensitiveInputs.Contains(entry.Key) == true
                    ? TemplateRenderer.RenderSensitive(entry.Value, scope, cancellationToken)
                    : TemplateRenderer.Render(entry.Value, scope, cancellationToken);
        }

        return inputs;
    }

    /// <summary>Renders a per-host input of <paramref name="step"/> as written, with <c>host</c> bound.</summary>
    private Func<string, HostBinding, string> PerHostRenderer(ActionStep step, Frame frame, CancellationToken cancellationToken) =>
        (input, host) =>
            step.With?[input] is DocScalar written
                ? Convert.ToString(
                    written.IsTemplate
                        ? TemplateRenderer.Evaluate(written, frame.Scope().With("host", HostVariable(host, _run.Environment)), cancellationToken)
                        : written.ToPlainValue(),
                    CultureInfo.InvariantCulture
                ) ?? ""
                : throw new ArgumentException($"input '{input}' of {step.Uses} is not text written in the step, so it cannot be rendered per host");
}
