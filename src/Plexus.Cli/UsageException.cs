namespace Plexus.Cli;

/// <summary>The command line was wrong (a bad value, a missing flag): exit code 125 like docker, and a hint to --help.</summary>
internal sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
