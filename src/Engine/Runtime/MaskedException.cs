using Gantry.Engine.Expressions;

namespace Gantry.Engine.Runtime;

/// <summary>
/// What a log line shows of an exception that may carry a run's secrets (a store error quoting a value, a plugin's
/// observer quoting its webhook URL): the original's type, message, stack trace and inner exceptions, each passed
/// through the run's <see cref="SecretMasker"/>. Logged in place of the original, so no logger ever formats its text.
/// </summary>
internal sealed class MaskedException : Exception
{
    private readonly string _text;
    private readonly string? _stackTrace;

    public MaskedException(Exception original, SecretMasker masker)
        : base(masker.Apply(original.Message), original.InnerException is { } inner ? new MaskedException(inner, masker) : null)
    {
        OriginalType = original.GetType().FullName ?? original.GetType().Name;
        HResult = original.HResult;
        _stackTrace = original.StackTrace is { } stackTrace ? masker.Apply(stackTrace) : null;

        // The original's own rendering: "Type: message ---> inner ... stack", every inner exception of an aggregate included.
        _text = masker.Apply(original.ToString());
    }

    /// <summary>The full name of the exception's type, e.g. <c>System.InvalidOperationException</c>.</summary>
    public string OriginalType { get; }

    public override string? StackTrace => _stackTrace;

    public override string ToString() => _text;
}
