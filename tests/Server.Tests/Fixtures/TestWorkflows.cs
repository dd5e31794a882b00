namespace Gantry.Server.Tests.Fixtures;

/// <summary>Small workflows the server tests add to the workspace.</summary>
public static class TestWorkflows
{
    public const string Trivial = """
        id: trivial
        inputs:
          note: { type: string, default: "" }
        steps:
          - id: hello
            uses: log
            with: { message: "hello {{ inputs.note }}" }
        on:
          http: { path: my-team/canary }
        """;

    public const string Approval = """
        id: approval
        steps:
          - id: ask
            uses: wait
            with: { approval: "Ship it?" }
          - id: done
            uses: log
            with: { message: "approved" }
        """;

    public static readonly IReadOnlyList<(string Name, string Text)> All =
    [
        ("trivial.yaml", Trivial + "\n"),
        ("approval.yaml", Approval + "\n"),
    ];
}
