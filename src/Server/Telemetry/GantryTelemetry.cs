using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Gantry.Server.Telemetry;

/// <summary>Gantry's span source and meters: a span per run and per step, run counters and a step duration histogram.</summary>
public static class GantryTelemetry
{
    public const string SourceName = "Gantry";
    public const string MeterName = "Gantry";

    public static readonly ActivitySource Source = new(SourceName);

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> RunsStarted = Meter.CreateCounter<long>("gantry.runs.started", description: "Runs that began executing.");

    public static readonly Counter<long> RunsSucceeded = Meter.CreateCounter<long>("gantry.runs.succeeded", description: "Runs that succeeded.");

    public static readonly Counter<long> RunsFailed = Meter.CreateCounter<long>("gantry.runs.failed", description: "Runs that failed.");

    public static readonly Histogram<double> StepDuration = Meter.CreateHistogram<double>(
        "gantry.step.duration",
        unit: "s",
        description: "How long steps took, by activity and outcome.");
}
