using Gantry.Engine.Activities;

namespace Gantry.Engine.Runtime;

/// <summary>An activity's log: each line becomes a journal event tagged with the step and host.</summary>
internal sealed class StepLog(JournalWriter journal, string path, string? defaultHost) : IStepLog
{
    public void Info(string message, string? host = null) => Write(message, host, null);

    public void Warn(string message, string? host = null) => Write(message, host, "warn");

    public void Output(string line, string stream, string? host = null) => Write(line, host, stream);

    public void Progress(int done, int total, int failed) => journal.Post(JournalWriter.ProgressEvent(path, done, total, failed));

    // Activities log from synchronous callbacks (process and SSH output): the line is queued in order, not waited for.
    private void Write(string message, string? host, string? stream) =>
        journal.Post(new JournalEvent { Type = JournalEventTypes.Log, Path = path, Host = host ?? defaultHost, Message = message, Actor = stream });
}
