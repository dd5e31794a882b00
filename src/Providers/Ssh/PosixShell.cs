namespace Gantry.Providers.Ssh;

/// <summary>POSIX shell quoting for the remote commands Gantry composes.</summary>
internal static class PosixShell
{
    /// <summary>Single-quotes a word: <c>it's</c> becomes <c>'it'\''s'</c>.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
