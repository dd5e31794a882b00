using Gantry.Providers.LoadBalancers.Nginx;

namespace Gantry.Providers.Tests.LoadBalancers.Nginx;

public sealed class NginxUpstreamFileTests
{
    [Fact]
    public void Parse_OtherBlocksCommentsAndParameters_ReadsOnlyTheNamedUpstream()
    {
        const string content = """
            upstream web-old { server 10.0.0.8:80; }
            # upstream web { server 10.0.0.9:80; }
            upstream web {
                zone web 64k;
                server 10.0.0.1:80 weight=5 max_fails=3;   # server 10.0.0.7:80;
                server 10.0.0.2:80 down;
                keepalive 16;
            }
            upstream web2 { server 10.0.0.3:80 down; }
            """;

        var lines = NginxUpstreamFile.Parse(content, "web", "/x.conf");

        Assert.Equal([new UpstreamServerLine("10.0.0.1:80", false, 5), new UpstreamServerLine("10.0.0.2:80", true, null)], lines);
    }

    [Fact]
    public void Parse_UnclosedBlock_Throws()
    {
        var error = Assert.Throws<NginxException>(() => NginxUpstreamFile.Parse("upstream web { server 10.0.0.1:80;", "web", "/x.conf"));

        Assert.Equal("The 'upstream web' block in '/x.conf' is not closed with '}'.", error.Message);
    }

    [Fact]
    public void Parse_DownAsPartOfAnotherWord_IsNotDown()
    {
        var lines = NginxUpstreamFile.Parse("upstream web { server down-host:80 slow_start=1s; }", "web", "/x.conf");

        Assert.Equal([new UpstreamServerLine("down-host:80", false, null)], lines);
    }
}
