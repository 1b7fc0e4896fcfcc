using Plexus.Cni;

// The CNI plugin's process: stdin is the network configuration, stdout the result or error object. Synchronous
// throughout: an exec'd process that starts no thread pool, timer or socket thread starts fastest.
using var stdin = Console.OpenStandardInput();
using var buffer = new MemoryStream();
// VERSION may come with nothing on stdin; every other command with the configuration.
stdin.CopyTo(buffer);
using var stdout = Console.OpenStandardOutput();
return CniPlugin.Run(Environment.GetEnvironmentVariable, buffer.ToArray(), stdout);
