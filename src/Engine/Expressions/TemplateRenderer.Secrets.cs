using System.Globalization;
using System.Text.RegularExpressions;
using Gantry.Engine.Documents;

namespace Gantry.Engine.Expressions;

/// <summary>
/// The one way a secret reaches an activity: an input declared sensitive holding the whole
/// expression <c>{{ secrets.NAME }}</c>. Those expressions are replaced by the value outside the
/// template engine, so no template function ever sees a secret (an upper-cased, reversed or
/// base64-encoded secret would escape a masker that matches values); the rest of the text is
/// rendered as usual, with no secrets in scope.
/// </summary>
public static partial class TemplateRenderer
{
    /// <summary>Renders a sensitive input: <c>{{ secrets.NAME }}</c> becomes the value, everything else renders without secrets.</summary>
    public static object? RenderSensitive(DocNode node, TemplateScope scope, CancellationToken cancellationToken = default) =>
        node switch
        {
            DocScalar { IsTemplate: true } scalar => EvaluateSensitive(scalar, scope, cancellationToken),
            DocScalar scalar => scalar.ToPlainValue(),
            DocSequence sequence => sequence.Items.Select(i => RenderSensitive(i, scope, cancellationToken)).ToList(),
            DocMapping mapping => mapping.Entries.ToDictionary(
                e => e.Key,
                e => RenderSensitive(e.Value, scope, cancellationToken),
                StringComparer.Ordinal),
            _ => null,
        };

    /// <summary>The <c>{{ secrets.NAME }}</c> expressions of a text (group <c>name</c>).</summary>
    public static IEnumerable<Match> SecretUses(string text) => SecretUse().Matches(text);

    /// <summary>Offsets of the code blocks of a text that read <c>secrets</c> other than as a whole <c>{{ secrets.NAME }}</c>.</summary>
    public static IEnumerable<int> OtherSecretReads(string text)
    {
        var rest = SecretUse().Replace(text, m => new string(' ', m.Length));
        return CodeBlock().Matches(rest).Where(b => SecretsWord().IsMatch(b.Value)).Select(b => b.Index);
    }

    private static object? EvaluateSensitive(DocScalar scalar, TemplateScope scope, CancellationToken cancellationToken)
    {
        var text = scalar.Text ?? "";
        var uses = SecretUse().Matches(text);
        if (uses.Count == 0)
        {
            return Evaluate(scalar, scope, cancellationToken);
        }

        var values = uses.Select(use => Resolve(scalar, scope, use)).ToList();
        if (uses.Count == 1 && uses[0].Length == text.Length)
        {
            return values[0];
        }

        // Each expression becomes a marker no value can guess, the rest renders, then the markers become the values.
        var marker = $"\u0001gantry-secret-{Guid.NewGuid():N}-";
        var index = 0;
        var rest = SecretUse().Replace(text, _ => $"{marker}{index++}\u0001");
        var rendered = rest.Contains("{{", StringComparison.Ordinal)
            ? Convert.ToString(Evaluate(scalar with { Text = rest }, scope, cancellationToken), CultureInfo.InvariantCulture) ?? ""
            : rest;
        for (var i = 0; i < values.Count; i++)
        {
            rendered = rendered.Replace($"{marker}{i}\u0001", values[i], StringComparison.Ordinal);
        }

        return rendered;
    }

    private static string Resolve(DocScalar scalar, TemplateScope scope, Match use)
    {
        var name = use.Groups["name"].Value;
        var location = LocateOffset(scalar, use.Index);
        if (scope.Secrets is not { } secrets)
        {
            throw new TemplateException(location, $"secret '{name}' is not available here: the run has no environment");
        }

        try
        {
            return secrets.Resolve(name);
        }
        catch (Exception ex)
            when (ex is KeyNotFoundException or InvalidOperationException or IOException or ArgumentException or UnauthorizedAccessException)
        {
            throw new TemplateException(location, ex.Message);
        }
    }

    /// <summary>
    /// The offset of a <c>{{</c> (or raw <c>{%{</c>) that is never closed, else -1. Scriban reads an
    /// unclosed expression to the end of the text without complaint; Gantry refuses it.
    /// </summary>
    internal static int UnclosedAt(string text)
    {
        for (var i = 0; i < text.Length - 1; i++)
        {
            var raw = string.CompareOrdinal(text, i, "{%{", 0, 3) == 0;
            if (!raw && string.CompareOrdinal(text, i, "{{", 0, 2) != 0)
            {
                continue;
            }

            var end = text.IndexOf(raw ? "}%}" : "}}", i + (raw ? 3 : 2), StringComparison.Ordinal);
            if (end < 0)
            {
                return i;
            }

            i = end + (raw ? 2 : 1);
        }

        return -1;
    }

    [GeneratedRegex(@"\{\{-?\s*secrets\.(?<name>[A-Za-z_][A-Za-z0-9_-]*)\s*-?\}\}")]
    private static partial Regex SecretUse();

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();

    [GeneratedRegex(@"\bsecrets\b")]
    private static partial Regex SecretsWord();
}
