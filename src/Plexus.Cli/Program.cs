using Plexus.Cli;

return await CliApp.RunAsync(args, CliContext.ForProcess());
