using System.ComponentModel;

namespace Gantry.Engine.Activities.BuiltIn;

[Activity(
    "log",
    Description = "Writes a message to the run's journal.",
    Example = "uses: log\nwith: { message: \"Deploying {{ steps.tag.outputs.tag }}\" }")]
internal sealed class LogActivity : Activity<LogActivity.Inputs, LogActivity.Outputs>
{
    protected override Task<Outputs> ExecuteAsync(ActivityContext<Inputs> context, CancellationToken cancellationToken)
    {
        if (context.Input.Level == LogLevel.Warn)
        {
            context.Log.Warn(context.Input.Message);
        }
        else
        {
            context.Log.Info(context.Input.Message);
        }

        return Task.FromResult(new Outputs { Message = context.Input.Message });
    }

    public enum LogLevel { Info, Warn }

    public sealed class Inputs
    {
        [Description("The text to log (a template).")]
        public required string Message { get; set; }

        [Description("info or warn.")]
        public LogLevel Level { get; set; } = LogLevel.Info;
    }

    public sealed class Outputs
    {
        [Description("The message as logged.")]
        public string Message { get; set; } = "";
    }
}
