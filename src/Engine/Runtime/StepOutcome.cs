namespace Gantry.Engine.Runtime;

/// <summary>How a step or block ended this pass: done, or suspended on a wait (the run sleeps).</summary>
internal enum StepOutcome { Completed, Suspended }
