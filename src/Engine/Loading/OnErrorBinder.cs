using Gantry.Engine.Diagnostics;
using Gantry.Engine.Documents;
using Gantry.Engine.Model;

namespace Gantry.Engine.Loading;

/// <summary>Binds <c>on_error: ask | fail | "{{ template }}"</c> or <c>on_error: { mode, timeout }</c> (of a workflow or a step).</summary>
internal static class OnErrorBinder
{
    private const string Expected = "expected ask or fail (or a template that renders to one), or { mode: ask, timeout: 1h }";

    public static OnErrorSettings? Bind(DocNode? node, string path, DiagnosticBag diagnostics)
    {
        switch (node)
        {
            case null or DocScalar { Kind: ScalarKind.Null }:
                return null;
            case DocScalar mode:
                return CheckMode(mode, path, diagnostics) ? new OnErrorSettings(mode, OnErrorSettings.DefaultTimeout, mode.Location) : null;
            case DocMapping map:
                var reader = new MappingReader(map, path, diagnostics);
                reader.RejectUnknown(["mode", "timeout"], "on_error");
                var timeout = reader.Bind<TimeSpan?>("timeout") ?? OnErrorSettings.DefaultTimeout;
                if (timeout <= TimeSpan.Zero)
                {
                    diagnostics.Add(map["timeout"]!, $"{path}.timeout", "the time to wait for an answer must be more than 0s");
                }

                if (map["mode"] is not DocScalar { Kind: not ScalarKind.Null } given)
                {
                    diagnostics.Add(map, path, "missing required field 'mode' (ask or fail)");
                    return null;
                }

                return CheckMode(given, $"{path}.mode", diagnostics) ? new OnErrorSettings(given, timeout, map.Location) : null;
            default:
                diagnostics.Add(node, path, Expected);
                return null;
        }
    }

    private static bool CheckMode(DocScalar mode, string path, DiagnosticBag diagnostics)
    {
        var text = mode.Text ?? "";
        if (text.Contains("{{", StringComparison.Ordinal) || text is OnErrorSettings.Ask or OnErrorSettings.Fail)
        {
            return true;
        }

        diagnostics.Add(mode, path, $"'{text}' is not an on_error mode; {Expected}");
        return false;
    }
}
