using Gantry.Engine.Model;

namespace Gantry.Providers.Deploy;

/// <summary>What an environment file points to: files relative to it, and secrets by their reference.</summary>
internal static class EnvironmentReferences
{
    /// <summary>A path as written in the environment file, made absolute against that file's folder.</summary>
    public static string Path(EnvironmentDefinition environment, string path) =>
        System.IO.Path.GetFullPath(
            path,
            System.IO.Path.GetDirectoryName(
                System.IO.Path.GetFullPath(environment.SourcePath is { Length: > 0 } source ? source : "environment.yaml")
            )!);

    /// <summary>A secret's value read straight from its reference in the environment (no run, so no secret accessor).</summary>
    public static string Secret(EnvironmentDefinition environment, string name)
    {
        if (!environment.Secrets.TryGetValue(name, out var reference))
        {
            throw new DeployException($"environment {environment.Id}: secret {name} is not declared under secrets");
        }

        return reference switch
        {
            { Value: { } value } => value,
            { Env: { } variable } => Environment.GetEnvironmentVariable(variable)
                ?? throw new DeployException($"secret {name}: environment variable {variable} is not set"),
            { File: { } file } => File.ReadAllText(Path(environment, file)),
            _ => throw new DeployException($"secret {name}: no env, file or value is given"),
        };
    }
}
