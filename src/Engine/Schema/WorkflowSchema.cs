using System.Text.Json.Nodes;
using Gantry.Engine.Activities;

namespace Gantry.Engine.Schema;

/// <summary>The hand-written skeleton of the workflow schema (document, inputs, step kinds) joined with each activity's inputs.</summary>
internal static class WorkflowSchema
{
    private const string Steps = "#/$defs/steps";

    public static JsonObject Build(ActivityRegistry activities) => new()
    {
        ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
        ["$id"] = "https://gantry.invalid/schemas/" + SchemaGenerator.WorkflowFile,
        ["title"] = "Gantry workflow",
        ["description"] = "A deploy or rollout procedure: inputs, steps, what to do on failure, and how runs share keys.",
        ["type"] = "object",
        ["required"] = new JsonArray("id", "steps"),
        ["additionalProperties"] = false,
        ["properties"] = new JsonObject
        {
            ["$schema"] = Text("The JSON Schema of this document (for editors)."),
            ["id"] = Text("Identifier used by gantry run and workflow.call.", @"^[A-Za-z][A-Za-z0-9_.-]*$"),
            ["name"] = Text("Human name."),
            ["description"] = Text("What the workflow does."),
            ["inputs"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "Declared inputs by name; templates read them as inputs.<name>.",
                ["additionalProperties"] = new JsonObject { ["$ref"] = "#/$defs/input" },
            },
            ["outputs"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "What the workflow returns to a caller: name → template over its steps' outputs.",
            },
            ["concurrency"] = new JsonObject
            {
                ["description"] = "One run per key at a time: a key template, or { key, queue }.",
                ["anyOf"] = new JsonArray(
                    Text(null),
                    new JsonObject
                    {
                        ["type"] = "object",
                        ["additionalProperties"] = false,
                        ["required"] = new JsonArray("key"),
                        ["properties"] = new JsonObject
                        {
                            ["key"] = Text("Key template, e.g. \"{{ inputs.environment }}\"."),
                            ["queue"] = Enum("What a run does while another holds the key: wait its turn (all), is refused (reject), or wait, with "
                                + "only the newest queued run going next and the older ones superseded (latest).", "all", "all", "reject", "latest"),
                        },
                    }),
            },
            ["steps"] = Ref(Steps, "The steps, run in order."),
            ["on_failure"] = Ref(Steps, "Steps run when the workflow fails (compensation)."),
            ["on_error"] = new JsonObject { ["$ref"] = "#/$defs/on_error" },
            ["on"] = new JsonObject
            {
                ["type"] = "object",
                ["description"] = "Triggers besides starting by hand: http { path, environment }, push { branch, environment, input } (GitHub push "
                    + "webhook), schedule { cron, timezone, environment, inputs, missed } or a list of them.",
                ["properties"] = new JsonObject
                {
                    ["schedule"] = new JsonObject
                    {
                        ["description"] = "Start the workflow at each tick of a cron expression (gantry serve and gantry worker; one run per tick "
                            + "across nodes).",
                        ["oneOf"] = new JsonArray(Schedule(), new JsonObject { ["type"] = "array", ["items"] = Schedule() }),
                    },
                },
                ["additionalProperties"] = new JsonObject { ["type"] = new JsonArray("object", "null") },
            },
        },
        ["$defs"] = Definitions(activities),
    };

    private static JsonObject OnError() => new()
    {
        ["description"] = "What a failing step does: fail (default; on_failure runs) or ask (guided failure: the run waits showing the error until "
            + "an operator answers retry, skip or abort with gantry runs answer, the API or the designer; no answer within the timeout aborts). A "
            + "template may choose, e.g. \"{{ inputs.ask_on_error ? 'ask' : 'fail' }}\". On a workflow it applies to its steps outside on_failure "
            + "and finally; a step's own on_error wins.",
        ["anyOf"] = new JsonArray(
            Text(null),
            new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = false,
                ["required"] = new JsonArray("mode"),
                ["properties"] = new JsonObject
                {
                    ["mode"] = Text("ask or fail, or a template that renders to one."),
                    ["timeout"] = Ref("#/$defs/duration", "How long to wait for an answer before aborting.", "1h"),
                },
            }),
    };

    private static JsonObject Schedule() => new()
    {
        ["type"] = "object",
        ["additionalProperties"] = false,
        ["required"] = new JsonArray("cron"),
        ["properties"] = new JsonObject
        {
            ["cron"] = Text("Five fields: minute hour day-of-month month day-of-week, e.g. \"0 10 * * 1-5\" (weekdays at 10:00)."),
            ["timezone"] = Text("IANA time zone the cron expression is read in, e.g. Europe/Amsterdam.", defaultValue: "UTC"),
            ["environment"] = Text("The environment the run deploys to."),
            ["inputs"] = new JsonObject { ["type"] = "object", ["description"] = "Inputs of the run (declared inputs only)." },
            ["missed"] = Enum("A tick that passed while no node ran: start the newest one once when a node comes back (run-once), or not at all "
                + "(skip).", "run-once", "run-once", "skip"),
        },
    };

    private static JsonObject Definitions(ActivityRegistry activities) => new()
    {
        ["input"] = new JsonObject
        {
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["properties"] = new JsonObject
            {
                ["type"] = Enum("The input's type.", "string", "string", "number", "integer", "boolean", "array", "object"),
                ["default"] = new JsonObject { ["description"] = "Value used when the run does not give one; must match the type." },
                ["description"] = Text("For people and the designer's start form."),
                ["required"] = new JsonObject { ["type"] = "boolean", ["default"] = false, ["description"] = "A run must give a value (when there "
                    + "is no default)." },
                ["enum"] = new JsonObject { ["type"] = "array", ["items"] = Text(null), ["description"] = "The allowed values." },
            },
        },
        ["steps"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["$ref"] = "#/$defs/step" } },
        ["template"] = SchemaGenerator.Template(),
        ["duration"] = SchemaGenerator.For(TypeShape.Of(typeof(TimeSpan)), allowTemplates: false),
        ["on_error"] = OnError(),
        ["retry"] = new JsonObject
        {
            ["description"] = "Retry policy: a number of attempts, or { attempts, delay, backoff, max_delay, on }.",
            ["anyOf"] = new JsonArray(
                new JsonObject { ["type"] = "integer", ["minimum"] = 1 },
                new JsonObject
                {
                    ["type"] = "object",
                    ["additionalProperties"] = false,
                    ["properties"] = new JsonObject
                    {
                        ["attempts"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["default"] = 3, ["description"] = "Tries in all, "
                            + "the first included." },
                        ["delay"] = Ref("#/$defs/duration", "Wait before the second try.", "1s"),
                        ["backoff"] = Enum("How the wait grows.", "exponential", "constant", "linear", "exponential"),
                        ["max_delay"] = Ref("#/$defs/duration", "Upper bound of the wait."),
                        ["on"] = new JsonObject { ["type"] = "array", ["items"] = Text(null), ["description"] = "Only retry errors of these kinds, "
                            + "matched by name (case-insensitive), never by message: any, timeout, or an error type without its Exception suffix, "
                            + "e.g. HttpCheck, ShellCommand, SshRun, Deploy, Git, GitPushRejected, GitMergeConflict, LoadBalancer, WorkflowFailure, "
                            + "HttpRequest, IO. Unset: every error but an invalid document." },
                    },
                }),
        },
        ["step"] = new JsonObject
        {
            ["description"] = "One step: an activity (uses), a workflow.call, a group, a parallel block or a foreach.",
            ["oneOf"] = new JsonArray(
                new JsonObject { ["$ref"] = "#/$defs/action_step" },
                new JsonObject { ["$ref"] = "#/$defs/call_step" },
                new JsonObject { ["$ref"] = "#/$defs/group_step" },
                new JsonObject { ["$ref"] = "#/$defs/parallel_step" },
                new JsonObject { ["$ref"] = "#/$defs/foreach_step" }),
        },
        ["action_step"] = ActionStep(activities),
        ["call_step"] = StepKind("uses", new JsonObject
        {
            ["uses"] = new JsonObject { ["const"] = "workflow.call", ["description"] = "Runs another workflow with its own inputs and returns its "
                + "outputs." },
            ["with"] = new JsonObject
            {
                ["type"] = "object",
                ["additionalProperties"] = false,
                ["required"] = new JsonArray("workflow"),
                ["properties"] = new JsonObject
                {
                    ["workflow"] = Text("Id of the workflow to run."),
                    ["version"] = new JsonObject { ["type"] = "integer", ["description"] = "Pin a published version; the latest when omitted." },
                    ["inputs"] = new JsonObject { ["type"] = "object", ["description"] = "Inputs of the called workflow." },
                },
            },
        }),
        ["group_step"] = StepKind("group", new JsonObject
        {
            ["group"] = Ref(Steps, "Steps run in order."),
            ["on_failure"] = Ref(Steps, "Run when a step of the group fails."),
            ["finally"] = Ref(Steps, "Always run after the group."),
        }),
        ["parallel_step"] = StepKind("parallel", new JsonObject
        {
            ["parallel"] = Ref(Steps, "Branches run at the same time; the block fails when any fails, after all have ended."),
        }),
        ["foreach_step"] = StepKind("foreach", new JsonObject
        {
            ["foreach"] = new JsonObject { ["description"] = "The items: a list, or a template giving one (e.g. a group's hosts)." },
            ["as"] = Text("Name of the loop variable.", @"^[A-Za-z][A-Za-z0-9_.-]*$", "item"),
            ["max_parallel"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["default"] = 1, ["description"] = "Items run at once." },
            ["steps"] = Ref(Steps, "Steps run for each item."),
        }),
    };

    private static JsonObject ActionStep(ActivityRegistry activities)
    {
        var names = activities.All.Select(a => (JsonNode)JsonValue.Create(a.Name)).ToArray();
        var step = StepKind("uses", new JsonObject
        {
            ["uses"] = new JsonObject
            {
                ["type"] = "string",
                ["description"] = "The activity to run, by name.",
                ["not"] = new JsonObject { ["const"] = "workflow.call" },
                ["anyOf"] = new JsonArray(
                    new JsonObject { ["enum"] = new JsonArray(names) },
                    new JsonObject { ["pattern"] = @"^[a-z0-9_-]+\.[a-z0-9_.-]+$" }),
            },
            ["with"] = new JsonObject { ["type"] = "object", ["description"] = "The activity's inputs." },
        });
        var rules = new JsonArray();
        foreach (var activity in activities.All)
        {
            var inputs = SchemaGenerator.For(activity.Inputs, allowTemplates: true);
            inputs["description"] = string.IsNullOrEmpty(activity.Description) ? $"Inputs of {activity.Name}." : activity.Description;
            var then = new JsonObject { ["properties"] = new JsonObject { ["with"] = inputs } };
            if (activity.Inputs.Properties.Any(p => p.Required))
            {
                then["required"] = new JsonArray("with");
            }

            rules.Add(
                new JsonObject
                {
                    ["if"] = new JsonObject
                    {
                        ["properties"] = new JsonObject { ["uses"] = new JsonObject { ["const"] = activity.Name } },
                        ["required"] = new JsonArray("uses"),
                    },
                    ["then"] = then,
                });
        }

        if (rules.Count > 0)
        {
            step["allOf"] = rules;
        }

        return step;
    }

    /// <summary>A step kind: its own keys plus the fields every step has; nothing else.</summary>
    private static JsonObject StepKind(string key, JsonObject properties)
    {
        properties["id"] = Text("Names the step; templates read its outputs as steps.<id>.outputs.", @"^[A-Za-z][A-Za-z0-9_.-]*$");
        properties["name"] = Text("Human name.");
        properties["if"] = Text("Condition template; the step is skipped when it renders falsy.");
        properties["timeout"] = Ref("#/$defs/duration", "The step fails when it runs longer.");
        properties["retry"] = new JsonObject { ["$ref"] = "#/$defs/retry" };
        properties["continue_on_error"] = new JsonObject
        {
            ["type"] = "boolean",
            ["default"] = false,
            ["description"] = "A failure of this step does not fail the workflow.",
        };
        properties["on_error"] = new JsonObject { ["$ref"] = "#/$defs/on_error" };
        return new JsonObject
        {
            ["type"] = "object",
            ["required"] = new JsonArray(key),
            ["additionalProperties"] = false,
            ["properties"] = properties,
        };
    }

    private static JsonObject Text(string? description, string? pattern = null, string? defaultValue = null)
    {
        var schema = new JsonObject { ["type"] = "string" };
        if (pattern is not null)
        {
            schema["pattern"] = pattern;
        }

        if (defaultValue is not null)
        {
            schema["default"] = defaultValue;
        }

        if (description is not null)
        {
            schema["description"] = description;
        }

        return schema;
    }

    private static JsonObject Enum(string description, string defaultValue, params string[] values) => new()
    {
        ["type"] = "string",
        ["enum"] = new JsonArray(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray()),
        ["default"] = defaultValue,
        ["description"] = description,
    };

    private static JsonObject Ref(string target, string description, string? defaultValue = null)
    {
        var schema = new JsonObject { ["$ref"] = target, ["description"] = description };
        if (defaultValue is not null)
        {
            schema["default"] = defaultValue;
        }

        return schema;
    }
}
