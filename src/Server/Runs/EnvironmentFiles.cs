using Gantry.Engine.Loading;
using Gantry.Engine.Model;
using Gantry.Server.Hosting;

namespace Gantry.Server.Runs;

/// <summary>
/// The workspace's environments by id (the file name under workflows/environments/). Only ids are
/// accepted, never paths, so a request cannot make the server read another file.
/// </summary>
internal sealed class EnvironmentFiles(ServerContext context)
{
    public IReadOnlyList<string> Ids() => context.Catalog.EnvironmentIds();

    /// <summary>The environment and its text (by file name, as the CLI's --env); null when no environment has that id.</summary>
    public (EnvironmentDefinition Environment, string Text)? Find(string id)
    {
        var file = context.Catalog.EnvironmentFiles().FirstOrDefault(f => Path.GetFileNameWithoutExtension(f) == id);
        if (file is null)
        {
            return null;
        }

        var text = File.ReadAllText(file);
        var loaded = DocumentLoader.LoadEnvironment(text, file);
        if (!loaded.Succeeded)
        {
            throw new InvalidDataException($"environment '{id}' is invalid: {string.Join("; ", loaded.Diagnostics)}");
        }

        loaded.Value!.SourcePath = file;
        return (loaded.Value, text);
    }
}
