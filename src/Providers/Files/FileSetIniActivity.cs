using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Files;

[Activity(
    "file.set-ini",
    Description = "Sets one key in an INI file, keeping comments, order, spacing and line endings; writes only when the value changes. key a.b "
        + "matches a key literally named a.b (in any section), else b in [a]; more than one match fails.",
    Example = "uses: file.set-ini\nwith: { path: opensky/config/version.ini, key: opensky.version, value: \"{{ inputs.version }}\" }")]
internal sealed class FileSetIniActivity : Activity<FileSetIniActivity.Inputs, FileSetIniActivity.Outputs>
{
    protected override Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var path = FileText.Resolve(input.Path, input.BaseDir);
        var (text, bom) = ("", false);
        if (File.Exists(path))
        {
            (text, bom) = FileText.ReadUtf8(path);
        }
        else if (!input.Create)
        {
            throw new FileNotFoundException($"file.set-ini: {path} does not exist; set create: true to create it", path);
        }

        IniEdit edit;
        try
        {
            edit = input.Section is { } section ? IniEditor.Set(text, section, input.Key, input.Value) : IniEditor.Set(text, input.Key, input.Value);
        }
        catch (IniAmbiguousKeyException ex)
        {
            throw new InvalidOperationException($"file.set-ini: {path}: {ex.Message}", ex);
        }

        if (edit.Changed)
        {
            FileText.WriteAtomic(path, FileText.EncodeUtf8(edit.Text, bom), mode: null);
            context.Log.Info(context.Secrets.Masker.Apply(edit.Previous is null
                ? $"{path}: added {input.Key} = {input.Value} at {edit.Where}"
                : $"{path}: {edit.Where} changed from {edit.Previous} to {input.Value}"));
        }
        else
        {
            context.Log.Info(context.Secrets.Masker.Apply($"{path}: {edit.Where} is already {input.Value}"));
        }

        return Task.FromResult(new Outputs { Path = path, Changed = edit.Changed, Previous = edit.Previous });
    }

    public sealed class Inputs
    {
        [Description("The INI file; relative paths start at base_dir, else the current directory.")]
        public required string Path { get; set; }

        [Description(
            "The key. a.b matches, in order: a key literally named a.b (before any section or in any section), then key b in [a]; more than one "
            + "matching line fails the step. Missing, it is added to [a] (as a.b when that section's keys carry the a. prefix, else as b), or as "
            + "a.b before any section in a file without sections, or as b in a new [a] at the end. Without a dot: a key before any section.")]
        public required string Key { get; set; }

        [Description("The value to set.")]
        public required string Value { get; set; }

        [Description("Section name, to set key (used whole, dots and all) in exactly that section.")]
        public string? Section { get; set; }

        [Description("Create the file when it does not exist; when false a missing file fails the step.")]
        public bool Create { get; set; } = true;

        [Description("Folder that relative paths start from.")]
        public string? BaseDir { get; set; }
    }

    public sealed class Outputs
    {
        [Description("The file's full path.")]
        public string Path { get; set; } = "";

        [Description("True when the file was written; false when the key already had the value.")]
        public bool Changed { get; set; }

        [Description("The key's value before, or null when the key was added.")]
        public string? Previous { get; set; }
    }
}
