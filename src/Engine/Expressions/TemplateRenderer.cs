using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using Gantry.Engine.Documents;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Functions;
using Scriban.Syntax;

namespace Gantry.Engine.Expressions;

/// <summary>
/// Renders Scriban templates in a sandbox: only the scope's data is visible, there is no .NET
/// member access, no include or file access, and loops, recursion, output size and time are limited.
/// A value that is one whole <c>{{ expression }}</c> keeps its type (a list stays a list).
/// </summary>
public static partial class TemplateRenderer
{
    public const int LoopLimit = 10_000;
    public const int RecursionLimit = 64;
    public const int OutputLimit = 1_000_000;
    // Wall-clock, so it also counts time the process waits for a CPU: on a busy machine the first
    // render (JIT, Scriban's set-up) took over 2 s. Loops and recursion have their own limits; this
    // one only has to stop a template that would run forever.
    public static readonly TimeSpan TimeLimit = TimeSpan.FromSeconds(10);

    private static readonly AsyncLocal<TimeSpan?> TimeLimitOverride = new();

    /// <summary>The wall-clock limit of renders in this async flow: <see cref="TimeLimit"/> unless overridden.</summary>
    internal static TimeSpan CurrentTimeLimit => TimeLimitOverride.Value ?? TimeLimit;

    /// <summary>Overrides the wall-clock limit for renders in the calling async flow until disposed (tests, embedders).</summary>
    internal static IDisposable OverrideTimeLimit(TimeSpan limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(limit, TimeSpan.Zero);
        var previous = TimeLimitOverride.Value;
        TimeLimitOverride.Value = limit;
        return new TimeLimitScope(previous);
    }

    /// <summary>Renders every template string inside a document value; returns a plain value.</summary>
    public static object? Render(DocNode node, TemplateScope scope, CancellationToken cancellationToken = default) => node switch
    {
        DocScalar { IsTemplate: true } scalar => Evaluate(scalar, scope, cancellationToken),
        DocScalar scalar => scalar.ToPlainValue(),
        DocSequence sequence => sequence.Items.Select(i => Render(i, scope, cancellationToken)).ToList(),
        DocMapping mapping => mapping.Entries.ToDictionary(e => e.Key, e => Render(e.Value, scope, cancellationToken), StringComparer.Ordinal),
        _ => null,
    };

    /// <summary>Renders one template scalar: a whole expression keeps its type, mixed text becomes a string.</summary>
    public static object? Evaluate(DocScalar scalar, TemplateScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(scalar);

        var text = scalar.Text ?? "";
        var whole = WholeExpression().Match(text);
        if (whole.Success)
        {
            var template = Parse(whole.Groups["expr"].Value, scalar, ScriptMode.ScriptOnly, offset: whole.Groups["expr"].Index);
            return ScriptValues.FromScript(Run(template, scalar, scope, evaluate: true, cancellationToken));
        }

        return Run(Parse(text, scalar, ScriptMode.Default, offset: 0), scalar, scope, evaluate: false, cancellationToken);
    }

    /// <summary>Renders a condition; false, null, 0 and empty text are false.</summary>
    public static bool IsTrue(DocScalar condition, TemplateScope scope, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);

        var value = condition.IsTemplate ? Evaluate(condition, scope, cancellationToken) : condition.ToPlainValue();
        return value switch
        {
            null => false,
            bool b => b,
            long l => l != 0,
            double d => d != 0,
            string s => s.Length > 0 && !string.Equals(s, "false", StringComparison.OrdinalIgnoreCase) && s != "0",
            _ => true,
        };
    }

    /// <summary>Parses a template without running it; returns the first syntax error with its document position, or null.</summary>
    public static TemplateException? CheckSyntax(DocScalar scalar)
    {
        ArgumentNullException.ThrowIfNull(scalar);

        var text = scalar.Text ?? "";
        try
        {
            var whole = WholeExpression().Match(text);
            _ = whole.Success
                ? Parse(whole.Groups["expr"].Value, scalar, ScriptMode.ScriptOnly, whole.Groups["expr"].Index)
                : Parse(text, scalar, ScriptMode.Default, 0);
            return null;
        }
        catch (TemplateException ex)
        {
            return ex;
        }
    }

    /// <summary>The dotted paths a template reads, e.g. <c>steps.tag.outputs.tag</c> (for reference checks).</summary>
    public static IEnumerable<(string Path, int Offset)> References(string text) =>
        Reference().Matches(text).Select(m => (m.Value, m.Index));

    private static Template Parse(string text, DocScalar scalar, ScriptMode mode, int offset)
    {
        if (Parsed.TryGetValue((text, mode), out var cached))
        {
            return cached;
        }

        if (mode == ScriptMode.Default && UnclosedAt(text) is >= 0 and var open)
        {
            var what =
                string.CompareOrdinal(text, open, "{%{", 0, 3) == 0
                    ? "'{%{' is never closed; expected '}%}'"
                    : "'{{' is never closed; expected '}}' to end the expression";
            throw new TemplateException(LocateOffset(scalar, offset + open), what);
        }

        var template = Template.Parse(text, scalar.Location.File, lexerOptions: new LexerOptions { Mode = mode });
        if (template.HasErrors)
        {
            var error = template.Messages.First(m => m.Type == ParserMessageType.Error);
            var reason = error.Message.Replace("`<eof>`", "the end of the template", StringComparison.Ordinal);

            // Scriban reports "unexpected end" without a position (-1); point at the end of the expression.
            var location = error.Span.Start.Line < 0 ? LocateOffset(scalar, offset + text.Length) : Locate(scalar, error.Span, offset);
            throw new TemplateException(location, reason);
        }

        // Templates come from workflow documents, so there are few distinct ones; the limit only
        // guards a process that loads very many documents over its life.
        if (Parsed.Count >= ParsedCacheLimit)
        {
            Parsed.Clear();
        }

        Parsed[(text, mode)] = template;
        return template;
    }

    private static object? Run(Template template, DocScalar scalar, TemplateScope scope, bool evaluate, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var limit = CurrentTimeLimit;
        timeout.CancelAfter(limit);
        var context = CreateContext(scope, timeout.Token);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var result = evaluate ? template.Evaluate(context) : template.Render(context);

            // The timer that cancels the render runs on the thread pool; on a starved pool it can fire
            // only after a slow render has finished, so the clock decides as well.
            if (Stopwatch.GetElapsedTime(started) > limit)
            {
                throw TooSlow(scalar, limit);
            }

            return result;
        }
        catch (Exception ex)
            when ((ex is ScriptAbortException or OperationCanceledException)
                && timeout.IsCancellationRequested
                && !cancellationToken.IsCancellationRequested)
        {
            // Scriban reports the cancellation as a ScriptAbortException from inside the loop it stopped.
            throw TooSlow(scalar, limit);
        }
        catch (ScriptAbortException) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException(cancellationToken);
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateException(Locate(scalar, ex.Span, 0), Explain(ex));
        }
        catch (ArgumentException ex)
        {
            throw new TemplateException(scalar.Location, ex.Message);
        }
    }

    private static TemplateException TooSlow(DocScalar scalar, TimeSpan limit) =>
        new(scalar.Location, $"the template ran longer than its {Schema.Duration.Format(limit)} limit");

    private static TemplateContext CreateContext(TemplateScope scope, CancellationToken cancellationToken)
    {
        var context = new TemplateContext(SharedBuiltins.Value)
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            LoopLimit = LoopLimit,
            LoopLimitQueryable = LoopLimit,
            RecursiveLimit = RecursionLimit,
            ObjectRecursionLimit = 32,
            OutputLimit = OutputLimit,
            LimitToString = 100_000,
            RegexTimeOut = TimeSpan.FromMilliseconds(200),
            TemplateLoader = null,
            MemberFilter = _ => false,
            CancellationToken = cancellationToken,
        };
        context.PushGlobal(scope.ToScriptObject());
        return context;
    }

    /// <summary>
    /// Scriban's functions without <c>include</c>, built once: building them costs more than most
    /// renders. Shared by every render, so every object in it is read-only; a template cannot
    /// leave anything behind for the next one (<c>string.x = 1</c> fails).
    /// </summary>
    private static readonly Lazy<ScriptObject> SharedBuiltins = new(() =>
    {
        var builtins = new BuiltinFunctions();
        builtins.Remove("include");
        foreach (var child in builtins.Values.OfType<ScriptObject>())
        {
            child.IsReadOnly = true;
        }

        builtins.IsReadOnly = true;
        return builtins;
    });

    /// <summary>Parsed templates by text and mode: a workflow renders the same few templates for every step and host.</summary>
    private static readonly ConcurrentDictionary<(string Text, ScriptMode Mode), Template> Parsed = new();

    private const int ParsedCacheLimit = 4_096;

    private static string Explain(ScriptRuntimeException ex)
    {
        var message = ex.OriginalMessage;
        if (message.Contains("include", StringComparison.Ordinal) && message.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            return "include is not available in Gantry templates (templates cannot read files)";
        }

        if (message.Contains("loop", StringComparison.OrdinalIgnoreCase) && message.Contains("limit", StringComparison.OrdinalIgnoreCase))
        {
            return $"loop limit of {LoopLimit} iterations exceeded";
        }

        if (message.Contains("recursive", StringComparison.OrdinalIgnoreCase) || message.Contains("recursion", StringComparison.OrdinalIgnoreCase))
        {
            return $"recursion limit of {RecursionLimit} exceeded";
        }

        return message;
    }

    private static SourceLocation Locate(DocScalar scalar, SourceSpan span, int offset)
    {
        if (scalar.Location.Line == 0)
        {
            return scalar.Location;
        }

        // Scriban counts from 0; a value on one line sits at the scalar's column (+1 for a quote).
        var line = scalar.Location.Line + span.Start.Line;
        var column = span.Start.Line == 0 ? scalar.Location.Column + (scalar.Quoted ? 1 : 0) + offset + span.Start.Column : span.Start.Column + 1;
        return scalar.Location with { Line = line, Column = column };
    }

    private static SourceLocation LocateOffset(DocScalar scalar, int index)
    {
        var text = scalar.Text ?? "";
        if (scalar.Location.Line == 0)
        {
            return scalar.Location;
        }

        var before = text.AsSpan(0, Math.Min(index, text.Length));
        var newlines = before.Count('\n');
        return newlines == 0
            ? scalar.Location with { Column = scalar.Location.Column + (scalar.Quoted ? 1 : 0) + index }
            : scalar.Location with { Line = scalar.Location.Line + newlines, Column = index - before.LastIndexOf('\n') };
    }

    [GeneratedRegex(@"^\s*\{\{-?(?<expr>(?:(?!\}\}|\{\{).)*)-?\}\}\s*$", RegexOptions.Singleline)]
    private static partial Regex WholeExpression();

    [GeneratedRegex(@"\b(?:steps|inputs|env|run|host|secrets)(?:\.[A-Za-z_][A-Za-z0-9_-]*)+")]
    private static partial Regex Reference();

    private sealed class TimeLimitScope(TimeSpan? previous) : IDisposable
    {
        public void Dispose() => TimeLimitOverride.Value = previous;
    }
}
