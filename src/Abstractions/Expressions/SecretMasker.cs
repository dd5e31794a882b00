namespace Gantry.Engine.Expressions;

/// <summary>
/// Replaces every known secret value, in each form tools print it (<see cref="SecretForms"/>), and the credentials of
/// every URL (<see cref="UrlCredentials"/>), with <c>***</c>. One masker per run; every text that can reach a log, the
/// journal, an error or plan output passes through it.
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
                // Longest first, so a secret that contains another is masked whole, and a whole base64 form before its middle.
                var forms = SecretForms.Of(value).Where(f => f.Length >= MinimumLength);
                _values = [.. _values.Union(forms, StringComparer.Ordinal).OrderByDescending(v => v.Length)];
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

    /// <summary>
    /// Masks every string inside a plain value (dictionaries, lists). A dictionary or list in which
    /// nothing needs masking is returned as it is, not copied: most journal events carry nothing secret,
    /// and copying every step's inputs and outputs was a large part of a step's cost.
    /// </summary>
    public object? Apply(object? value) => value switch
    {
        string s => Apply(s),
        IReadOnlyDictionary<string, object?> map => ApplyMap(map),
        IDictionary<string, object?> map => map.ToDictionary(kv => kv.Key, kv => Apply(kv.Value)),
        IReadOnlyList<object?> list => ApplyList(list),
        IEnumerable<object?> list => list.Select(Apply).ToList(),
        _ => value,
    };

    private IReadOnlyDictionary<string, object?> ApplyMap(IReadOnlyDictionary<string, object?> map)
    {
        Dictionary<string, object?>? copy = null;
        foreach (var (key, item) in map)
        {
            var masked = Apply(item);
            if (copy is null && !ReferenceEquals(masked, item))
            {
                copy = new Dictionary<string, object?>(map.Count, StringComparer.Ordinal);
                foreach (var (earlierKey, earlier) in map)
                {
                    if (earlierKey == key)
                    {
                        break;
                    }

                    copy[earlierKey] = earlier;
                }
            }

            copy?.Add(key, masked);
        }

        return copy ?? map;
    }

    private IReadOnlyList<object?> ApplyList(IReadOnlyList<object?> list)
    {
        List<object?>? copy = null;
        for (var i = 0; i < list.Count; i++)
        {
            var masked = Apply(list[i]);
            if (copy is null && !ReferenceEquals(masked, list[i]))
            {
                copy = new List<object?>(list.Count);
                for (var j = 0; j < i; j++)
                {
                    copy.Add(list[j]);
                }
            }

            copy?.Add(masked);
        }

        return copy ?? list;
    }
}
