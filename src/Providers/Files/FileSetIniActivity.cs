using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Files;

[Activity("file.set-ini", Description = "Sets one key in an INI file, keeping comments, order and spacing; writes only when the value changes.",
    Example = "uses: file.set-ini\nwith: { path: config/app.ini, key: opensky.version, value: \"{{ inputs.version }}\" }")]
internal sealed class FileSetIniActivity : Activity<FileSetIniActivity.Inputs, FileSetIniActivity.Outputs>
{
    protected override Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        var path = FileText.Resolve(input.Path, input.BaseDir);
        var (section, key) = input.Section is { } explicitSection
            ? (explicitSection, input.Key)
            : input.Key.IndexOf('.', StringComparison.Ordinal) is var dot and > 0
                ? (input.Key[..dot], input.Key[(dot + 1)..])
                : ("", input.Key);

        var (text, bom) = ("", false);
        if (File.Exists(path))
        {
            (text, bom) = FileText.ReadUtf8(path);
        }
        else if (!input.Create)
        {
            throw new FileNotFoundException($"file.set-ini: {path} does not exist; set create: true to create it", path);
        }

        var edit = IniEditor.Set(text, section, key, input.Value);
        var shown = section.Length == 0 ? key : $"[{section}] {key}";
        if (edit.Changed)
        {
            FileText.WriteAtomic(path, FileText.EncodeUtf8(edit.Text, bom), mode: null);
            context.Log.Info(context.Secrets.Masker.Apply(edit.Previous is null
                ? $"{path}: added {shown} = {input.Value}"
                : $"{path}: {shown} changed from {edit.Previous} to {input.Value}"));
        }
        else
        {
            context.Log.Info(context.Secrets.Masker.Apply($"{path}: {shown} is already {input.Value}"));
        }

        return Task.FromResult(new Outputs { Path = path, Changed = edit.Changed, Previous = edit.Previous });
    }

    public sealed class Inputs
    {
        [Description("The INI file; relative paths start at base_dir, else the current directory.")]
        public required string Path { get; set; }

        [Description("section.key, e.g. opensky.version for key version in [opensky]; without a dot, a key before any section. The section is the part before the first dot.")]
        public required string Key { get; set; }

        [Description("The value to set.")]
        public required string Value { get; set; }

        [Description("Section name, when it contains a dot; key is then used whole.")]
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
