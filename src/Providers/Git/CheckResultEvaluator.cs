using System.Text.Json;
using static Gantry.Providers.Git.GitHubPayload;

namespace Gantry.Providers.Git;

/// <summary>Whether a check passed, failed, or says nothing final yet (pending, neutral, cancelled, skipped…).</summary>
public enum CheckOutcome { Passed, Failed, Undecided }

/// <summary>One check's result on one commit, from a GitHub <c>check_suite</c> or <c>status</c> event.</summary>
/// <param name="Sha">The commit the check ran on.</param>
/// <param name="Name">The check suite's app name (<c>GitHub Actions</c>) or the status context (<c>ci/jenkins</c>).</param>
/// <param name="Aliases">Every name the check answers to (app name and slug, or the context), for <c>checks:</c>.</param>
/// <param name="Outcome">Passed, failed or undecided.</param>
/// <param name="Result">GitHub's own word: the suite's conclusion or the status's state.</param>
public sealed record CheckResult(string Sha, string Name, IReadOnlyList<string> Aliases, CheckOutcome Outcome, string Result)
{
    /// <summary>True when <paramref name="name"/> is one of the check's names (case-insensitive).</summary>
    public bool IsNamed(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Aliases.Contains(name.Trim(), StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>
/// Reads a GitHub <c>check_suite</c> event (<c>action: completed</c>; <c>check_suite.head_sha</c>,
/// <c>conclusion</c>, <c>app.name</c>/<c>app.slug</c>) or <c>status</c> event (<c>sha</c>, <c>state</c>,
/// <c>context</c>). Conclusions <c>success</c> pass; <c>failure</c>, <c>timed_out</c> and
/// <c>startup_failure</c> (states <c>failure</c> and <c>error</c>) fail; anything else decides nothing.
/// Pure: never throws on an unexpected payload shape.
/// </summary>
public static class CheckResultEvaluator
{
    /// <summary>The check result the payload reports, or <see langword="null"/> when it is not a check event.</summary>
    public static CheckResult? Evaluate(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (payload.TryGetProperty("check_suite", out var suite) && suite.ValueKind == JsonValueKind.Object)
        {
            return CheckSuite(payload, suite);
        }

        return payload.TryGetProperty("pull_request", out _) ? null : Status(payload);
    }

    private static CheckResult? CheckSuite(JsonElement payload, JsonElement suite)
    {
        var sha = Text(suite, "head_sha");
        if (Text(payload, "action") != "completed" || string.IsNullOrEmpty(sha))
        {
            return null;
        }

        var conclusion = Text(suite, "conclusion") ?? "none";
        var app = GitHubPayload.Object(suite, "app");
        var name = app is { } named ? Text(named, "name") : null;
        var slug = app is { } slugged ? Text(slugged, "slug") : null;
        var aliases = new[] { name, slug }.OfType<string>().Where(n => n.Length > 0).ToList();
        var outcome = conclusion switch
        {
            "success" => CheckOutcome.Passed,
            "failure" or "timed_out" or "startup_failure" => CheckOutcome.Failed,
            _ => CheckOutcome.Undecided,
        };
        return new CheckResult(sha, name ?? slug ?? "check suite", aliases, outcome, conclusion);
    }

    private static CheckResult? Status(JsonElement payload)
    {
        var sha = Text(payload, "sha");
        var state = Text(payload, "state");
        var context = Text(payload, "context");
        if (string.IsNullOrEmpty(sha) || state is null || context is null)
        {
            return null;
        }

        var outcome = state switch
        {
            "success" => CheckOutcome.Passed,
            "failure" or "error" => CheckOutcome.Failed,
            _ => CheckOutcome.Undecided,
        };
        return new CheckResult(sha, context, [context], outcome, state);
    }
}
