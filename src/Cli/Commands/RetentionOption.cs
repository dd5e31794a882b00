using Gantry.Engine.Runtime;
using Spectre.Console;

namespace Gantry.Cli.Commands;

/// <summary>The <c>--retention</c> option of <c>gantry serve</c> and <c>gantry worker</c>, falling back to GANTRY_RETENTION.</summary>
internal static class RetentionOption
{
    public static ValidationResult Validate(string? option)
    {
        try
        {
            _ = RetentionPruner.Resolve(option);
            return ValidationResult.Success();
        }
        catch (ArgumentException ex)
        {
            return ValidationResult.Error(ex.Message);
        }
    }

    /// <summary>The retention to use, or null when it is off; call after <see cref="Validate"/>.</summary>
    public static TimeSpan? Resolve(string? option) => RetentionPruner.Resolve(option);
}
