namespace Gantry.Engine.Expressions;

/// <summary>
/// Replaces every known secret value, and the credentials of every URL (<see cref="UrlCredentials"/>),
/// with <c>***</c>. One masker per run; every text that can reach a log, the journal, an error or
/// plan output passes through it.
/// </summary>
public sealed class SecretMasker
{
    public const string Mask = "***";

    // Values shorter than this are not masked: masking "a" or "1" would shred every message.
    private const int MinimumLength = 3;
    private readonly Lock _gate = new();
    private string[] _values = [];

    public void Add(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length < MinimumLength)
        {
            return;
        }

        lock (_gate)
        {
            if (!_values.Contains(value))
            {
                // Longest first, so a secret that contains another is masked whole.
                _values = [.. _values.Append(value).OrderByDescending(v => v.Length)];
            }
        }
    }

    public string Apply(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        text = UrlCredentials.Strip(text);
        foreach (var value in _values)
        {
            text = text.Replace(value, Mask, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>Masks every string inside a plain value (dictionaries, lists).</summary>
    public object? Apply(object? value) => value switch
    {
        string s => Apply(s),
        IReadOnlyDictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => Apply(kv.Value)),
        IDictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => Apply(kv.Value)),
        IEnumerable<object?> list => list.Select(Apply).ToList(),
        _ => value,
    };
}
