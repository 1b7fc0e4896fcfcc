namespace Plexus.Cli.Templates;

/// <summary>A function failed on its arguments; the executor reports it as Go does ("error calling index: ...").</summary>
internal sealed class TemplateFunctionException(string message) : Exception(message)
{
    public TemplateFunctionException()
        : this("")
    {
    }

    public TemplateFunctionException(string message, Exception innerException)
        : this(message + ": " + innerException.Message)
    {
    }
}
