using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>Reads an environment's secrets by reference (variable, file, literal) and masks each value it hands out.</summary>
internal sealed class SecretStore(EnvironmentDefinition? environment, SecretMasker masker) : ISecretAccessor, ISecretResolver
{
    public SecretMasker Masker { get; } = masker;

    public IReadOnlyCollection<string> Names => environment?.Secrets.Keys ?? (IReadOnlyCollection<string>)[];

    public string Resolve(string name) => Get(name);

    public string Get(string name)
    {
        if (environment is null || !environment.Secrets.TryGetValue(name, out var reference))
        {
            var known = environment?.Secrets.Keys ?? (IEnumerable<string>)[];
            throw new KeyNotFoundException(
                $"unknown secret '{name}'{Diagnostics.Suggest.Hint(name, known)}; the environment declares: {string.Join(", ", known)}");
        }

        var value = reference switch
        {
            { Env: { } variable } => Environment.GetEnvironmentVariable(variable)
                ?? throw new InvalidOperationException($"secret '{name}' expects environment variable {variable}, which is not set"),
            { File: { } file } => ReadFile(name, file),
            { Value: { } literal } => literal,
            _ => throw new InvalidOperationException($"secret '{name}' has no source; set one of env, file or value"),
        };
        Masker.Add(value);
        Masker.Add(value.Trim());
        return value;
    }

    private string ReadFile(string name, string file)
    {
        var folder = Path.GetDirectoryName(environment!.SourcePath) ?? ".";
        var path = Path.IsPathRooted(file) ? file : Path.Combine(folder, file);
        return File.Exists(path)
            ? File.ReadAllText(path)
            : throw new FileNotFoundException($"secret '{name}' expects file {path}, which does not exist");
    }
}
