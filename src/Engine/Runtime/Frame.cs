using System.Collections.Concurrent;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Step outputs visible to templates. A workflow (and each called workflow) has its own frame;
/// a foreach iteration overlays a child frame, so its steps see their own iteration's outputs
/// and everything finished outside. Step ids are unique per workflow.
/// </summary>
internal sealed class Frame(TemplateScope baseScope, Frame? parent = null, HostBinding? host = null)
{
    private readonly ConcurrentDictionary<string, IReadOnlyDictionary<string, object?>> _steps = new(StringComparer.Ordinal);

    public HostBinding? Host { get; } = host ?? parent?.Host;

    public TemplateScope BaseScope { get; } = baseScope;

    public void Record(string? stepId, string status, object? outputs)
    {
        if (stepId is null)
        {
            return;
        }

        _steps[stepId] = new Dictionary<string, object?>
        {
            ["status"] = status,
            ["outputs"] = outputs ?? new Dictionary<string, object?>(),
        };
    }

    /// <summary>Only this frame's own steps (what a foreach iteration contributes to its results).</summary>
    public IReadOnlyDictionary<string, object?> OwnOutputs() =>
        _steps.ToDictionary(kv => kv.Key, kv => kv.Value["outputs"], StringComparer.Ordinal);

    public TemplateScope Scope()
    {
        var steps = new Dictionary<string, object?>(StringComparer.Ordinal);
        Collect(steps);
        return BaseScope.With("steps", steps);
    }

    /// <summary>A frame for one foreach iteration with the loop variable bound.</summary>
    public Frame Iteration(string variable, object? item, HostBinding? host) =>
        new(BaseScope.With(variable, item), this, host);

    private void Collect(Dictionary<string, object?> into)
    {
        parent?.Collect(into);
        foreach (var (id, entry) in _steps)
        {
            into[id] = entry;
        }
    }
}
