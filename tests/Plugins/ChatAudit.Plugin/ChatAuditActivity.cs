using Gantry.Engine.Activities;

namespace ChatAudit.Plugin;

/// <summary>Inputs of <c>chat.audit</c>.</summary>
public sealed class ChatAuditInputs
{
    public string Text { get; init; } = "";
}

/// <summary>Outputs of <c>chat.audit</c>: none.</summary>
public sealed class ChatAuditOutputs;

/// <summary>
/// Checks the webhook when it is created, before the step starts: with the chat service down its construction throws,
/// which the engine journals as the step's failure.
/// </summary>
[Activity("chat.audit", Description = "Post a line to the team's chat (test plugin: the chat service is down).")]
public sealed class ChatAuditActivity : Activity<ChatAuditInputs, ChatAuditOutputs>
{
    public ChatAuditActivity() => throw ChatAuditWebhook.Refused("the webhook check");

    protected override Task<ChatAuditOutputs> ExecuteAsync(ActivityContext<ChatAuditInputs> context, CancellationToken cancellationToken) =>
        Task.FromResult(new ChatAuditOutputs());
}
