namespace Gantry.Engine.Activities;

/// <summary>
/// An activity with typed inputs and outputs. The inputs class declares the input schema
/// (snake_case names, <c>[Description]</c>, defaults from initializers, <c>required</c>); the
/// outputs class declares the output schema. The validator, the designer's forms and the docs
/// all read these two declarations.
/// </summary>
public abstract class Activity<TInputs, TOutputs> : IActivity
    where TInputs : class
    where TOutputs : class
{
    async Task<ActivityResult> IActivity.ExecuteAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var typed = new ActivityContext<TInputs>(context, context.BindInputs<TInputs>());
        var outputs = await ExecuteAsync(typed, cancellationToken).ConfigureAwait(false);
        return ActivityResult.Completed(ActivityContext.ToOutputs(outputs));
    }

    protected abstract Task<TOutputs> ExecuteAsync(ActivityContext<TInputs> context, CancellationToken cancellationToken);
}

/// <summary>
/// An activity that suspends the run until a signal arrives. <see cref="BeginAsync"/> either
/// completes at once (returns outputs) or returns a <see cref="WaitRequest"/>;
/// <see cref="ResumeAsync"/> sees each signal and returns outputs, or null to keep waiting.
/// </summary>
public abstract class WaitingActivity<TInputs, TOutputs> : IActivity
    where TInputs : class
    where TOutputs : class
{
    async Task<ActivityResult> IActivity.ExecuteAsync(ActivityContext context, CancellationToken cancellationToken)
    {
        var typed = new ActivityContext<TInputs>(context, context.BindInputs<TInputs>());
        if (context.Signal is { } signal)
        {
            var resumed = await ResumeAsync(typed, signal, cancellationToken).ConfigureAwait(false);
            if (resumed is not null)
            {
                return ActivityResult.Completed(ActivityContext.ToOutputs(resumed));
            }
        }

        var begun = await BeginAsync(typed, cancellationToken).ConfigureAwait(false);
        return begun.Outputs is { } done ? ActivityResult.Completed(ActivityContext.ToOutputs(done)) : ActivityResult.Suspended(begun.Wait!);
    }

    protected abstract Task<WaitOrDone<TOutputs>> BeginAsync(ActivityContext<TInputs> context, CancellationToken cancellationToken);

    protected abstract Task<TOutputs?> ResumeAsync(ActivityContext<TInputs> context, SignalDelivery signal, CancellationToken cancellationToken);
}

/// <summary>Either a wait to start or outputs when nothing needs waiting for.</summary>
public readonly record struct WaitOrDone<TOutputs>(WaitRequest? Wait, TOutputs? Outputs)
    where TOutputs : class
{
    public static implicit operator WaitOrDone<TOutputs>(WaitRequest wait) => new(wait, null);

    public static WaitOrDone<TOutputs> Done(TOutputs outputs) => new(null, outputs);
}
