using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

/// <summary>Records every command, then runs it with <paramref name="inner"/> or answers with a scripted result.</summary>
internal sealed class RecordingCommandRunner(ICommandRunner? inner = null) : ICommandRunner
{
    private readonly Queue<CommandResult> _scripted = new();

    public List<string> Commands { get; } = [];

    public RecordingCommandRunner Then(CommandResult result)
    {
        _scripted.Enqueue(result);
        return this;
    }

    public Task<CommandResult> RunAsync(IReadOnlyList<string> argv, CancellationToken cancellationToken)
    {
        lock (Commands)
        {
            Commands.Add(string.Join(' ', argv));
        }

        if (inner is not null)
        {
            return inner.RunAsync(argv, cancellationToken);
        }

        return Task.FromResult(_scripted.Count > 0 ? _scripted.Dequeue() : new CommandResult(0, string.Empty, string.Empty));
    }
}
