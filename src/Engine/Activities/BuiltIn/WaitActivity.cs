using System.ComponentModel;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Activities.BuiltIn;

/// <summary>
/// Suspends the run until a named signal, an approval, or a delay. The run holds no thread while
/// it waits; <c>gantry runs signal RUN NAME</c>, the HTTP API or a timer resumes it.
/// </summary>
[Activity("wait", Description = "Waits for a signal, an approval or a delay; the run sleeps without holding a worker.",
    Example = "uses: wait\nwith: { approval: \"Release 3.0.1 to production?\" }")]
internal sealed class WaitActivity : WaitingActivity<WaitActivity.Inputs, WaitActivity.Outputs>
{
    protected override Task<WaitOrDone<Outputs>> BeginAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        WaitRequest wait = input switch
        {
            { Delay: { } delay } => new WaitRequest(
                SignalName(context),
                "delay",
                $"a delay of {Duration.Format(delay)}",
                context.Time.GetUtcNow() + delay),
            { Approval: { } question } => new WaitRequest(SignalName(context), "approval", $"approval: {question}"),
            _ => new WaitRequest(SignalName(context), "signal", input.Description ?? $"signal '{SignalName(context)}'"),
        };
        return Task.FromResult<WaitOrDone<Outputs>>(wait);
    }

    protected override Task<Outputs?> ResumeAsync(ActivityContext<Inputs> context, SignalDelivery signal, CancellationToken cancellationToken)
    {
        if (context.Input.Approval is not null && signal.Payload is IReadOnlyDictionary<string, object?> payload
            && payload.TryGetValue("approved", out var approved) && approved is false)
        {
            throw new WorkflowFailureException($"approval was refused by {signal.SentBy ?? "someone"}");
        }

        return Task.FromResult<Outputs?>(new Outputs { Signal = signal.Name, Payload = signal.Payload, SentBy = signal.SentBy });
    }

    private static string SignalName(ActivityContext<Inputs> context) =>
        context.Input.Signal
        ?? (
            context.Input.Approval is not null ? "approve"
            : context.Input.Delay is not null ? $"timer:{context.StepPath}"
            : context.StepId ?? "continue");

    public sealed class Inputs
    {
        [Description("Name of the signal that resumes the run.")]
        public string? Signal { get; set; }

        [Description("Ask for an approval with this question; resumed by the 'approve' signal (payload approved: false refuses).")]
        public string? Approval { get; set; }

        [Description("Sleep this long, then go on.")]
        public TimeSpan? Delay { get; set; }

        [Description("What the run waits for, shown to people.")]
        public string? Description { get; set; }
    }

    public sealed class Outputs
    {
        [Description("The signal that resumed the run.")]
        public string Signal { get; set; } = "";

        [Description("The signal's payload.")]
        public object? Payload { get; set; }

        [Description("Who sent it.")]
        public string? SentBy { get; set; }
    }
}
