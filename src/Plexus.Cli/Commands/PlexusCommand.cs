using System.CommandLine;
using Plexus.Client;
using Plexus.Cli.Output;
using Plexus.Cli.Templates;

namespace Plexus.Cli.Commands;

/// <summary>
/// One verb (aspire's shape: a Command subclass whose action is <see cref="ExecuteAsync"/>). Failures turn
/// into one line on stderr and an exit code here, so the verbs only say what they do.
/// </summary>
internal abstract class PlexusCommand : Command
{
    protected PlexusCommand(string name, string description, CommandServices services)
        : base(name, description)
    {
        Services = services;
        SetAction(InvokeAsync);
    }

    protected CommandServices Services { get; }

    protected ICliConsole Console => Services.Console;

    protected abstract Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken);

    private async Task<int> InvokeAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        try
        {
            return await ExecuteAsync(parse, cancellationToken);
        }
        catch (UsageException e)
        {
            Usage.Report(Console, parse, e.Message);
            return ExitCodes.Usage;
        }
        catch (TemplateException e) when (e.IsParseError)
        {
            Console.Error.WriteLine($"template parsing error: {e.Message}");
            return ExitCodes.Usage;
        }
        catch (TemplateException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Failure;
        }
        catch (DaemonUnreachableException e)
        {
            Console.Error.WriteLine(e.Message);
            return ExitCodes.Failure;
        }
        catch (DaemonException e)
        {
            Console.Error.WriteLine(DaemonError(e));
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Interrupted;
        }
    }

    /// <summary>docker's wording for an error the daemon answered with.</summary>
    public static string DaemonError(DaemonException e) => $"Error response from daemon: {e.Message}";
}
