using Gantry.Engine.Activities;

namespace Gantry.Engine.Runtime;

/// <summary>
/// Guided failure (<c>on_error: ask</c>): a failing step waits for an operator's answer instead of failing the
/// run. The wait is a <c>step.waiting</c> of kind <see cref="Kind"/> carrying the error; the answer is a signal
/// named <see cref="SignalFor"/> (one name per question, so an answer never counts for a later question) with
/// the payload <c>{ answer: retry | skip | abort }</c>; the timer's empty signal at the timeout aborts.
/// </summary>
public static class GuidedFailure
{
    /// <summary>The wait kind of a question.</summary>
    public const string Kind = "error";

    public const string Retry = "retry";

    public const string Skip = "skip";

    public const string Abort = "abort";

    /// <summary>The answers, in the order people are offered them.</summary>
    public static IReadOnlyList<string> Answers { get; } = [Retry, Skip, Abort];

    /// <summary>The signal that answers the <paramref name="number"/>th question asked at step instance <paramref name="key"/>.</summary>
    public static string SignalFor(string key, int number) => $"answer:{key}#{number}";

    /// <summary>The payload an answer is sent with.</summary>
    public static Dictionary<string, object?> Payload(string answer) => new() { ["answer"] = answer };

    /// <summary>The answer a signal carries (its payload's <c>answer</c>, or the payload itself as text); null when it carries none.</summary>
    public static string? AnswerIn(SignalDelivery signal)
    {
        ArgumentNullException.ThrowIfNull(signal);

        if (signal.Payload is null && signal.SentBy == "timer")
        {
            return Abort;
        }

        var text = signal.Payload switch
        {
            string plain => plain,
            IReadOnlyDictionary<string, object?> map => map.GetValueOrDefault("answer") as string,
            _ => null,
        };
        return text?.Trim().ToLowerInvariant() is { } answer && Answers.Contains(answer) ? answer : null;
    }

    /// <summary>Throws unless <paramref name="answer"/> is retry, skip or abort.</summary>
    public static string Check(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return Answers.Contains(answer.Trim().ToLowerInvariant())
            ? answer.Trim().ToLowerInvariant()
            : throw new ArgumentException($"'{answer}' is not an answer to a failed step; expected retry, skip or abort");
    }
}

/// <summary>An answer was given to a run that has no failed step waiting for one.</summary>
public sealed class NoQuestionException(string message) : InvalidOperationException(message);
