using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Planning;

/// <summary>
/// Secrets as a plan sees them: every value that can be read without side effects (literal, environment
/// variable, file) is fed to the masker up front, so it never appears in plan output.
/// </summary>
internal sealed class PlanSecrets : ISecretResolver
{
    private readonly Dictionary<string, string?> _values = new(StringComparer.Ordinal);

    public PlanSecrets(EnvironmentDefinition? environment, SecretMasker masker)
    {
        foreach (var (name, reference) in environment?.Secrets ?? [])
        {
            var value = Read(reference, environment!);
            masker.Add(value);
            _values[name] = value;
        }
    }

    public IReadOnlyCollection<string> Names => _values.Keys;

    public string Resolve(string name) => _values.ContainsKey(name)
        ? SecretMasker.Mask
        : throw new ArgumentException($"unknown secret '{name}'; the environment declares: {string.Join(", ", _values.Keys)}");

    private static string? Read(SecretReference reference, EnvironmentDefinition environment)
    {
        try
        {
            if (reference.Value is { } literal)
            {
                return literal;
            }

            if (reference.Env is { } variable)
            {
                return System.Environment.GetEnvironmentVariable(variable);
            }

            if (reference.File is { } file)
            {
                var folder = Path.GetDirectoryName(Path.GetFullPath(environment.SourcePath is "" ? "." : environment.SourcePath)) ?? ".";
                var path = Path.Combine(folder, file);
                return File.Exists(path) ? File.ReadAllText(path).TrimEnd('\r', '\n') : null;
            }
        }
        catch (IOException)
        {
            // Unreadable now; the run reports it. The plan shows the secret masked either way.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return null;
    }
}
