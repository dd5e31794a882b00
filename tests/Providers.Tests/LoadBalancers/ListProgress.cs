namespace Gantry.Providers.Tests.LoadBalancers;

/// <summary>Records progress lines synchronously, in order (<see cref="Progress{T}"/> posts them asynchronously).</summary>
internal sealed class ListProgress : IProgress<string>
{
    private readonly List<string> _lines = [];

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return _lines.ToList();
            }
        }
    }

    public void Report(string value)
    {
        lock (_lines)
        {
            _lines.Add(value);
        }
    }
}
