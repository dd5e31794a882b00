namespace Gantry.Providers.LoadBalancers.HAProxy;

/// <summary>Something that runs one runtime API command and returns HAProxy's reply text.</summary>
internal interface IHAProxyCommandChannel
{
    HAProxyAddress Address { get; }

    /// <summary>
    /// Runs <paramref name="command"/> and returns the reply without trailing blank lines. Replies that
    /// HAProxy uses for errors ("No such server.", "Permission denied", ...) throw a
    /// <see cref="LoadBalancerException"/> naming <paramref name="target"/>.
    /// </summary>
    Task<string> ExecuteAsync(string command, string? target, CancellationToken cancellationToken);
}
