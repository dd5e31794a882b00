namespace Gantry.Engine.Activities;

/// <summary>
/// What a step decided to do, journaled before it acts (a <c>step.intent</c> event), so that when the step
/// runs again (after a crash, on another process, or on a retry) it drives the systems to that same target
/// instead of deciding again from a state it may already have changed. <c>lb.flip</c> records which group
/// goes live; <c>deploy.release</c> records the hosts and the release.
/// </summary>
public interface IStepIntent
{
    /// <summary>The intent an earlier execution of this step instance recorded, or null on its first execution.</summary>
    IReadOnlyDictionary<string, object?>? Recorded { get; }

    /// <summary>Journals <paramref name="intent"/> for this step instance; durable (and fenced by the run's lease) when it returns.</summary>
    Task RecordAsync(IReadOnlyDictionary<string, object?> intent, CancellationToken cancellationToken);
}

/// <summary>An intent that is never recorded: for activities executed outside a run (tests, the CLI's direct commands).</summary>
public sealed class UnrecordedIntent : IStepIntent
{
    public static readonly UnrecordedIntent Instance = new();

    public IReadOnlyDictionary<string, object?>? Recorded => null;

    public Task RecordAsync(IReadOnlyDictionary<string, object?> intent, CancellationToken cancellationToken) => Task.CompletedTask;
}
