using Microsoft.Extensions.Logging;
using Plexus.Engine.Controller;
using Plexus.Kernel;

namespace Plexus.Engine.UseCases;

/// <summary>
/// What the kernel offers Plexus (bridge, veth, vxlan, macvlan, nf_tables, ...), probed once on first use in a
/// throwaway namespace under the exec root, then kept: the answer does not change while the daemon runs.
/// </summary>
public sealed class KernelFeatureProbe
{
    private readonly Lazy<IReadOnlyDictionary<string, bool>> _features;

    public KernelFeatureProbe(ControllerOptions options, ILogger<KernelFeatureProbe> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var scratch = Path.Combine(options.ExecRoot, "probe");
        _features = new(() => Probe(scratch, logger));
    }

    /// <summary>Feature name to present or not; empty when the probe itself could not run.</summary>
    public IReadOnlyDictionary<string, bool> Features => _features.Value;

    private static IReadOnlyDictionary<string, bool> Probe(string scratch, ILogger logger)
    {
        try
        {
            var features = KernelFeatures.Probe(scratch);
            int missing = features.Count(f => !f.Value);
            EngineLog.FeaturesProbed(logger, missing, features.Count);
            return features;
        }
        catch (Exception e) when (e is KernelException or IOException or UnauthorizedAccessException)
        {
            EngineLog.FeatureProbeFailed(logger, e.Message);
            return new Dictionary<string, bool>();
        }
    }
}
