using EmbeddedHost;
using Gantry.Engine.Runtime;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: EmbeddedHost WORKFLOW.yaml [key=value ...]");
    return 2;
}

var status = await EmbeddedRun.RunFileAsync(args[0], args[1..], Console.Out, CancellationToken.None);
return status == RunStatus.Succeeded ? 0 : 1;
