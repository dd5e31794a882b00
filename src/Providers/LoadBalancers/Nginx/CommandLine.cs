namespace Gantry.Providers.LoadBalancers.Nginx;

/// <summary>Formats an argv for messages, quoting only where a reader would need it.</summary>
internal static class CommandLine
{
    public static string Format(IReadOnlyList<string> argv) =>
        string.Join(' ', argv.Select(Quote));

    private static string Quote(string argument) =>
        argument.Length > 0 && !argument.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '\\' or '$' or ';' or '&' or '|')
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
