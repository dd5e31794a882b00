using Gantry.Engine.Documents;

namespace Gantry.Engine.Model;

/// <summary>
/// What a failing step does (<c>on_error</c>): <c>fail</c> (the default: the run fails, on_failure runs) or
/// <c>ask</c> (guided failure: the run waits showing the error until an operator answers retry, skip or
/// abort, or <see cref="Timeout"/> passes, which aborts). <see cref="Mode"/> may be a template such as
/// <c>"{{ inputs.ask_on_error ? 'ask' : 'fail' }}"</c>, rendered when the step fails.
/// </summary>
public sealed record OnErrorSettings(DocScalar Mode, TimeSpan Timeout, SourceLocation Location)
{
    /// <summary>How long a guided failure waits for an answer before it aborts.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromHours(1);

    public const string Ask = "ask";

    public const string Fail = "fail";
}
