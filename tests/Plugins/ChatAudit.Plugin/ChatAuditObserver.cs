using Gantry.Engine.Runtime;

namespace ChatAudit.Plugin;

/// <summary>Posts every finished step to the team's chat; the chat service is down, so every post throws.</summary>
internal sealed class ChatAuditObserver : IJournalObserver
{
    public void OnEvent(RunRecord run, JournalEvent journalEvent)
    {
        if (journalEvent.Type == JournalEventTypes.StepSucceeded && ChatAuditWebhook.Token.Length > 0)
        {
            throw ChatAuditWebhook.Refused($"step {journalEvent.StepId} of run {run.Id}");
        }
    }
}
