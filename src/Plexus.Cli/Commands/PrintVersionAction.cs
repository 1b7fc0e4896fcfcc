using System.CommandLine;
using System.CommandLine.Invocation;
using Plexus.Api;

namespace Plexus.Cli.Commands;

/// <summary>`plexus --version`: one line, as `docker --version` prints it.</summary>
internal sealed class PrintVersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine($"Plexus version {ApiInfo.Version}, API {ApiInfo.ApiVersion}");
        return ExitCodes.Success;
    }
}
