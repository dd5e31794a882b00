using System.Text.Json;
using Gantry.Engine.Runtime;
using Gantry.Engine.Stores;

namespace Gantry.Engine.Tests.Stores;

public sealed class PlainValueConverterTests
{
    [Fact]
    public void Serialize_Event_WritesSnakeCaseWithoutNullsAndKeepsDoublesDouble()
    {
        var e = new JournalEvent
        {
            Type = JournalEventTypes.StepSucceeded,
            Time = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero),
            StepId = "build",
            Outputs = new Dictionary<string, object?> { ["big"] = 9_007_199_254_740_993L, ["whole"] = 2.0, ["none"] = null },
            Status = RunStatus.Succeeded,
        };

        var json = StoreJson.SerializeEvent(e);

        Assert.Equal(
            """{"sequence":0,"type":"step.succeeded","time":"2026-03-01T12:00:00+00:00","step_id":"build","outputs":{"big":9007199254740993,"whole":2.0,"none":null},"status":"succeeded"}""",
            json);
    }

    [Fact]
    public void Deserialize_Numbers_IntegersAsLongAndOthersAsDouble()
    {
        var value = JsonSerializer.Deserialize<object?>("[1, -2, 1.0, 1e3, 2.5, 99999999999999999999]", StoreJson.Options);

        var list = Assert.IsType<List<object?>>(value);
        Assert.Equal([typeof(long), typeof(long), typeof(double), typeof(double), typeof(double), typeof(double)], list.Select(v => v!.GetType()));
        Assert.Equal([1L, -2L, 1.0, 1000.0, 2.5, 1e20], list);
    }

    [Fact]
    public void Serialize_OtherNumbersAndJsonElements_ReadBackAsPlainValues()
    {
        var source = new Dictionary<string, object?>
        {
            ["int"] = 7,
            ["float"] = 1.5f,
            ["decimal"] = 2.25m,
            ["element"] = JsonDocument.Parse("""{"a":[1,"b"]}""").RootElement,
            ["nan"] = double.NaN,
        };

        var read = StoreJson.DeserializeInputs(StoreJson.SerializeInputs(source));

        Assert.Equal(7L, read["int"]);
        Assert.Equal(1.5, read["float"]);
        Assert.Equal(2.25, read["decimal"]);
        Assert.Equivalent(new Dictionary<string, object?> { ["a"] = new List<object?> { 1L, "b" } }, read["element"], strict: true);
        Assert.Equal("NaN", read["nan"]);
    }
}
