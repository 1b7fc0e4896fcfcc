using System.CommandLine;
using Plexus.Api;

namespace Plexus.Cli.Commands;

/// <summary>
/// `plexus create --name NAME (--netns PATH | --pid PID) [network flags]`: adopts a namespace someone else
/// made (e.g. a container started with `docker run --net=none`) as a sandbox; without either flag, a new
/// empty namespace. Prints the sandbox's id; `plexus network connect NET NAME` then wires it.
/// </summary>
internal sealed class CreateCommand : PlexusCommand
{
    private readonly SandboxOptions _options = new();
    private readonly Option<string?> _netns = Opt.Value("--netns", "Adopt the network namespace at this path, e.g. /run/netns/c1");
    private readonly Option<int?> _pid = new("--pid") { Description = "Adopt the network namespace of this process" };

    public CreateCommand(CommandServices services)
        : base("create", "Create a sandbox, adopting an existing network namespace", services)
    {
        _options.AddTo(this);
        Options.Add(_netns);
        Options.Add(_pid);
    }

    public SandboxCreateJson BuildRequest(ParseResult parse)
    {
        var netns = parse.GetValue(_netns);
        var pid = parse.GetValue(_pid);
        if (netns is not null && pid is not null) throw new UsageException("--netns and --pid both name a namespace to adopt; give one");
        if (pid is <= 0) throw new UsageException($"invalid --pid {pid}: expected the id of a running process");
        if (netns is { Length: 0 }) throw new UsageException("--netns needs the path of a namespace, e.g. /run/netns/c1");
        return _options.Build(parse, Services.GetEnvironmentVariable) with { NetnsPath = netns, Pid = pid };
    }

    protected override async Task<int> ExecuteAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = BuildRequest(parse);
        using var client = Services.Connect(parse);
        var created = await client.CreateSandboxAsync(request, cancellationToken);
        foreach (var warning in created.Warnings ?? []) Console.Error.WriteLine($"WARNING: {warning}");
        Console.Out.WriteLine(created.Id);
        return ExitCodes.Success;
    }
}
