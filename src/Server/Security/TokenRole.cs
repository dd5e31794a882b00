namespace Gantry.Server.Security;

/// <summary>What a token may do; each role includes the ones below it.</summary>
public enum TokenRole
{
    /// <summary>Reads definitions, runs, environments and activities.</summary>
    Viewer = 1,

    /// <summary>Also starts, cancels and signals runs (but does not satisfy merge gates).</summary>
    Operator = 2,

    /// <summary>Also satisfies merge gates: its <c>pull_request</c> signals count for git.wait-merged.</summary>
    Approver = 3,

    /// <summary>Also saves and publishes definitions.</summary>
    Admin = 4,
}
