namespace Plexus.Cli.Output;

/// <summary>
/// Everything a command prints or asks goes through here (plain text writers), so tests can run the CLI
/// in process and read what it wrote.
/// </summary>
internal interface ICliConsole
{
    /// <summary>Standard output, written as is (JSON, ids, logs): never wrapped or styled.</summary>
    TextWriter Out { get; }

    /// <summary>Standard error: one line per failure.</summary>
    TextWriter Error { get; }

    /// <summary>A docker-like table: no borders, columns at least 10 wide, 3 spaces apart, no trailing spaces.</summary>
    void WriteTable(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows);

    /// <summary>Asks a yes/no question (default no); false when nobody can answer (no input).</summary>
    bool Confirm(string question);
}
