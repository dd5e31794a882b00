namespace Gantry.Engine.Activities;

/// <summary>
/// Marks an activity input that may carry secrets (a password, a token, a key, a process's
/// environment). Only such inputs may read <c>{{ secrets.NAME }}</c>, and only as that whole
/// expression: the value reaches the activity unchanged and is masked wherever it is printed.
/// A template reading <c>secrets</c> anywhere else is a validation error.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class SensitiveAttribute : Attribute;

/// <summary>
/// Marks an activity input rendered once per host by the activity (<see cref="ActivityContext.RenderPerHost"/>),
/// with <c>host</c> in scope. The step's own rendering leaves it as written, so values it reads
/// (inputs, outputs, signals) are inserted once, as data, and never rendered again.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class PerHostAttribute : Attribute;
