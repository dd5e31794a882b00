using System.Text.Json;
using Gantry.Engine.Documents;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Tests.Schema;

/// <summary>An activity's typed outputs become the same plain values a document round trip gives.</summary>
public sealed class PlainValueTests
{
    public enum Phase
    {
        BringLive,
        Done,
    }

    [Fact]
    public void FromTyped_OutputsOfEveryShape_EqualTheDocumentRoundTrip()
    {
        var outputs = new DeployOutputs
        {
            Release = "20261207-0101",
            Hosts = 3,
            Bytes = 5_000_000_000L,
            Ratio = 0.25,
            Fraction = 0.1f,
            Price = 12.5m,
            Live = true,
            Phase = Phase.BringLive,
            Took = TimeSpan.FromSeconds(90),
            Url = new Uri("https://example.invalid/health"),
            Missing = null,
            Results = [new HostResult { Host = "web1", ExitCode = 0 }, new HostResult { Host = "web2", ExitCode = 1 }],
            ByGroup = new Dictionary<string, int> { ["group1"] = 2, ["group2"] = 1 },
            Free = new Dictionary<string, object?> { ["list"] = new List<object?> { 1, "two", null }, ["nested"] = new Dictionary<string, object?> { ["x"] = 1.5 } },
        };

        var direct = PlainValue.FromTyped(outputs);
        var roundTrip = PlainValue.FromDoc(PlainValue.ToDoc(outputs, SourceLocation.None));

        Assert.Equal(JsonSerializer.Serialize(roundTrip), JsonSerializer.Serialize(direct));
        var map = (IReadOnlyDictionary<string, object?>)direct!;
        Assert.Equal(3L, map["hosts"]);
        Assert.Equal(0.1, map["fraction"]);
        Assert.Equal("bring-live", map["phase"]);
        Assert.Equal("https://example.invalid/health", map["url"]);
    }

    public sealed class DeployOutputs
    {
        public string Release { get; set; } = "";

        public int Hosts { get; set; }

        public long Bytes { get; set; }

        public double Ratio { get; set; }

        public float Fraction { get; set; }

        public decimal Price { get; set; }

        public bool Live { get; set; }

        public Phase Phase { get; set; }

        public TimeSpan Took { get; set; }

        public Uri? Url { get; set; }

        public string? Missing { get; set; }

        public List<HostResult> Results { get; set; } = [];

        public Dictionary<string, int> ByGroup { get; set; } = [];

        public Dictionary<string, object?> Free { get; set; } = [];
    }

    public sealed class HostResult
    {
        public string Host { get; set; } = "";

        public int ExitCode { get; set; }
    }
}
