using Plexus.Cni;

// The CNI plugin's process: stdin is the network configuration, stdout the result or error object.
using var stdin = Console.OpenStandardInput();
using var buffer = new MemoryStream();
// VERSION may come with nothing on stdin; every other command with the configuration.
await stdin.CopyToAsync(buffer);
using var stdout = Console.OpenStandardOutput();
using var cancel = new CancellationTokenSource(TimeSpan.FromMinutes(5));
return await CniPlugin.RunAsync(Environment.GetEnvironmentVariable, buffer.ToArray(), stdout, cancel.Token);
