using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Loading;

/// <summary>Reads the fields of one mapping by hand, reporting wrong kinds and unknown keys with hints.</summary>
internal sealed class MappingReader(DocMapping mapping, string path, DiagnosticBag diagnostics)
{
    public DocMapping Mapping { get; } = mapping;

    public string Path { get; } = path;

    public DiagnosticBag Diagnostics { get; } = diagnostics;

    public bool Has(string key) => Mapping.Find(key) is not null;

    public DocNode? Node(string key) => Mapping[key];

    public string FieldPath(string key) => ObjectBinder.Join(Path, key);

    public string? String(string key, bool required = false)
    {
        var node = Mapping[key];
        if (node is null)
        {
            if (required)
            {
                Diagnostics.Add(Mapping, Path, $"missing required field '{key}'");
            }

            return null;
        }

        if (node is DocScalar { Kind: not ScalarKind.Null } scalar)
        {
            return scalar.Text;
        }

        Diagnostics.Add(
            node,
            FieldPath(key),
            $"expected text, found {(node is DocScalar ? "nothing" : "a " + (node is DocMapping ? "mapping" : "list"))}");
        return null;
    }

    public T? Bind<T>(string key, bool allowTemplates = false) =>
        Mapping[key] is { } node ? ObjectBinder.Bind<T>(node, FieldPath(key), Diagnostics, allowTemplates) : default;

    public DocSequence? Sequence(string key)
    {
        var node = Mapping[key];
        if (node is null or DocScalar { Kind: ScalarKind.Null })
        {
            return null;
        }

        if (node is DocSequence sequence)
        {
            return sequence;
        }

        Diagnostics.Add(node, FieldPath(key), "expected a list of steps");
        return null;
    }

    public DocMapping? Map(string key)
    {
        var node = Mapping[key];
        if (node is null or DocScalar { Kind: ScalarKind.Null })
        {
            return null;
        }

        if (node is DocMapping map)
        {
            return map;
        }

        Diagnostics.Add(node, FieldPath(key), "expected a mapping");
        return null;
    }

    public void RejectUnknown(IReadOnlyCollection<string> known, string what)
    {
        foreach (var entry in Mapping.Entries.Where(e => !known.Contains(e.Key) && e.Key != "$schema"))
        {
            Diagnostics.Add(
                entry.KeyLocation,
                FieldPath(entry.Key),
                $"unknown field '{entry.Key}' in {what}{Suggest.Hint(entry.Key, known)}; expected one of: {string.Join(", ", known)}");
        }
    }
}
