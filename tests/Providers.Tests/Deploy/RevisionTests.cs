using Gantry.Providers.Deploy;

namespace Gantry.Providers.Tests.Deploy;

public sealed class RevisionTests
{
    [Fact]
    public void Parse_LineWithCommit_ReadsEveryField()
    {
        var revision = Revision.Parse("2026-11-28T12:00:01Z\trollback\tv3.0.0\tv3.0.1\trun-7\tabc1234");

        Assert.Equal(new Revision(new DateTimeOffset(2026, 11, 28, 12, 0, 1, TimeSpan.Zero), "rollback", "v3.0.0", "v3.0.1", "run-7", "abc1234"), revision);
    }

    [Fact]
    public void Parse_OlderLineWithoutCommitAndNoPrevious_LeavesThemNull()
    {
        var revision = Revision.Parse("2026-11-28T12:00:01Z\tdeploy\tv3.0.0\t-\trun-1");

        Assert.Equal(new Revision(new DateTimeOffset(2026, 11, 28, 12, 0, 1, TimeSpan.Zero), "deploy", "v3.0.0", null, "run-1", null), revision);
    }

    [Fact]
    public void Parse_HandWrittenLine_IsNotARevision() => Assert.Null(Revision.Parse("switched by hand to v2"));

    [Fact]
    public void Format_ThenParse_RoundTrips()
    {
        var time = new DateTimeOffset(2026, 11, 28, 13, 0, 0, TimeSpan.Zero);

        var line = Revision.Format(time, "deploy", "v3.0.2", "v3.0.1", "run-9", null);

        Assert.Equal("2026-11-28T13:00:00Z\tdeploy\tv3.0.2\tv3.0.1\trun-9\t-", line);
        Assert.Equal(new Revision(time, "deploy", "v3.0.2", "v3.0.1", "run-9", null), Revision.Parse(line));
    }
}
