using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gantry.Server.Telemetry;

/// <summary>
/// Wires Gantry's spans and meters into OpenTelemetry: metrics for the Prometheus scrape endpoint,
/// traces (a span per run and per step, plus HTTP requests) that are exported over OTLP when the
/// standard <c>OTEL_EXPORTER_OTLP_*</c> variables name an endpoint.
/// </summary>
internal static class TelemetryRegistration
{
    private static readonly string[] UnsampledPaths = ["/metrics", "/healthz", "/readyz"];

    public static void AddGantryTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } name ? name : "gantry"))
            .WithMetrics(m =>
            {
                m.AddMeter(GantryTelemetry.MeterName).AddPrometheusExporter();
                if (OtlpConfigured(configuration, "METRICS"))
                {
                    m.AddOtlpExporter();
                }
            })
            .WithTracing(t =>
            {
                // Scrapes and probes arrive every few seconds; as spans they would bury the runs.
                t.AddSource(GantryTelemetry.SourceName)
                    .AddAspNetCoreInstrumentation(o => o.Filter = http => !UnsampledPaths.Any(p => http.Request.Path.StartsWithSegments(p)));
                if (OtlpConfigured(configuration, "TRACES"))
                {
                    t.AddOtlpExporter();
                }
            });
    }

    /// <summary>True when an OTLP endpoint is set; without one the exporter would send to localhost:4317 and log failures.</summary>
    private static bool OtlpConfigured(IConfiguration configuration, string signal) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"])
        || !string.IsNullOrWhiteSpace(configuration[$"OTEL_EXPORTER_OTLP_{signal}_ENDPOINT"]);
}
