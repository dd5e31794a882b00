using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Gantry.Benchmarks;

/// <summary>
/// One short in-process job. In process because BenchmarkDotNet's out-of-process toolchain looks
/// for a project named like the assembly (Gantry.Benchmarks.csproj) and because rebuilding a
/// generated project on two shared cores costs minutes per benchmark class.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
internal sealed class QuickJobAttribute : Attribute, IConfigSource
{
    public QuickJobAttribute(int iterationCount, int invocationCount = 0)
    {
        var job = Job.Default
            .WithToolchain(new InProcessEmitToolchain(TimeSpan.FromMinutes(30), logOutput: true))
            .WithLaunchCount(1)
            .WithWarmupCount(1)
            .WithIterationCount(iterationCount);
        Config = ManualConfig.CreateEmpty().AddJob(invocationCount > 0 ? job.WithInvocationCount(invocationCount).WithUnrollFactor(1) : job);
    }

    public IConfig Config { get; }
}
