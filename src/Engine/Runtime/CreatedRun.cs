namespace Gantry.Engine.Runtime;

/// <summary>
/// A run this process created already leased to itself (<see cref="WorkflowEngine.StartInBackgroundAsync"/>), as its
/// first pass needs it: the record and journal it wrote (nothing to read back), its lease (nothing to claim), and
/// its registration as executing here, made before its id was returned, so that a cancel on this process reaches it
/// from its first moment.
/// </summary>
internal sealed record CreatedRun(RunRecord Run, IReadOnlyList<JournalEvent> Journal, RunLease Lease, CancellationTokenSource Cancel);
