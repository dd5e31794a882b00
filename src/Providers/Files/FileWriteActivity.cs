using System.ComponentModel;
using Gantry.Engine.Activities;

namespace Gantry.Providers.Files;

[Activity("file.write", Description = "Writes a text file (UTF-8), atomically by default; leaves it untouched when content and mode already match.",
    Example = "uses: file.write\nwith: { path: /srv/app/shared/.env, content: \"APP_ENV=production\\n\", mode: \"0640\" }")]
internal sealed class FileWriteActivity : Activity<FileWriteActivity.Inputs, FileWriteActivity.Outputs>
{
    protected override async Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        var input = context.Input;
        UnixFileMode? mode = null;
        if (input.Mode is { } modeText)
        {
            mode = FileText.TryParseMode(modeText, out var parsed)
                ? parsed
                : throw new ArgumentException($"file.write: mode must be an octal string like \"0644\", got '{modeText}'");
        }

        var path = FileText.Resolve(input.Path, input.BaseDir);
        var bytes = FileText.EncodeUtf8(input.Content, bom: false);
        var sameContent = File.Exists(path) && await HoldsAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        var sameMode = mode is null || OperatingSystem.IsWindows() || (File.Exists(path) && File.GetUnixFileMode(path) == mode);
        var changed = !(sameContent && sameMode);
        if (changed)
        {
            if (input.Atomic)
            {
                FileText.WriteAtomic(path, bytes, mode);
            }
            else
            {
                FileText.WriteInPlace(path, bytes, mode);
            }

            context.Log.Info($"{path}: wrote {bytes.Length} bytes{(mode is { } m ? $", mode {FileText.FormatMode(m)}" : "")}");
        }
        else
        {
            context.Log.Info($"{path}: already up to date");
        }

        return new Outputs { Path = path, Changed = changed, Bytes = bytes.Length };
    }

    private static async Task<bool> HoldsAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var existing = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
        return existing.AsSpan().SequenceEqual(bytes);
    }

    public sealed class Inputs
    {
        [Description("The file; relative paths start at base_dir, else the current directory. Missing folders are created.")]
        public required string Path { get; set; }

        [Description("The whole text of the file, written as UTF-8.")]
        public required string Content { get; set; }

        [Description("Permissions as an octal string like \"0644\"; unset keeps an existing file's mode (new files get the default).")]
        public string? Mode { get; set; }

        [Description("Write a temporary file and rename it over the target, so no reader sees half a file.")]
        public bool Atomic { get; set; } = true;

        [Description("Folder that relative paths start from.")]
        public string? BaseDir { get; set; }
    }

    public sealed class Outputs
    {
        [Description("The file's full path.")]
        public string Path { get; set; } = "";

        [Description("True when the file was written; false when content and mode already matched.")]
        public bool Changed { get; set; }

        [Description("Size of the content in bytes.")]
        public long Bytes { get; set; }
    }
}
