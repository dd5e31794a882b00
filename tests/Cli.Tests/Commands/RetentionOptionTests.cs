namespace Gantry.Cli.Tests.Commands;

public sealed class RetentionOptionTests
{
    [Theory]
    [InlineData("serve")]
    [InlineData("worker")]
    public void Retention_NotADuration_ExitsTwoSayingWhatIsExpected(string verb)
    {
        var result = CliTestApp.Run(verb, "--retention", "forever");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal("error: --retention 'forever' is not a retention; expected a duration such as 30d, or 0 or off to keep runs for ever", result.Output.Trim());
    }
}
