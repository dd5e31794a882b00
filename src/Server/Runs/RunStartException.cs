namespace Gantry.Server.Runs;

/// <summary>A run could not be started; carries the HTTP status and a message for the caller.</summary>
public sealed class RunStartException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
