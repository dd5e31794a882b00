using Gantry.Testing.Fleet;

namespace Gantry.Benchmarks.Rollout;

/// <summary>
/// Runs each timed rollout under the fleet's <see cref="SteadyLoad"/> (the same load for every tool) and
/// adds up the failed requests per tool: Gantry's three ways to run, and Fabric's two modes.
/// </summary>
internal sealed class LoadTally(RealFleet fleet)
{
    private (int Sent, int Slow, int Failed) _gantry;
    private (int Sent, int Slow, int Failed) _fabric;

    /// <summary>"Gantry F of S (W slow), Fabric F of S (W slow)".</summary>
    public string Summary =>
        $"Gantry {_gantry.Failed} of {_gantry.Sent} ({_gantry.Slow} slow), Fabric {_fabric.Failed} of {_fabric.Sent} ({_fabric.Slow} slow)";

    public async Task<T> GantryAsync<T>(string label, Func<Task<T>> rollout)
    {
        var (result, sent, slow, failed) = await UnderLoadAsync(label, rollout);
        _gantry = (_gantry.Sent + sent, _gantry.Slow + slow, _gantry.Failed + failed);
        return result;
    }

    public async Task<T> FabricAsync<T>(string label, Func<Task<T>> rollout)
    {
        var (result, sent, slow, failed) = await UnderLoadAsync(label, rollout);
        _fabric = (_fabric.Sent + sent, _fabric.Slow + slow, _fabric.Failed + failed);
        return result;
    }

    private async Task<(T Result, int Sent, int Slow, int Failed)> UnderLoadAsync<T>(string label, Func<Task<T>> rollout)
    {
        await using var load = fleet.StartSteadyLoad();
        var result = await rollout();
        var seen = await load.StopAsync();
        foreach (var failure in seen.Failures.Take(5))
        {
            Console.Error.WriteLine($"{label}: failed request at {failure}");
        }

        return (result, seen.Sent, load.SlowSent, seen.Failed);
    }
}
