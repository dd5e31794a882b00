namespace Gantry.Engine.Runtime;

/// <summary>A run claimed by <see cref="IRunLeaseStore.ClaimRunsAsync"/>, with the lease that claim created.</summary>
/// <param name="Run">The run as it was when claimed.</param>
/// <param name="Lease">The claim.</param>
public sealed record ClaimedRun(RunRecord Run, RunLease Lease);
