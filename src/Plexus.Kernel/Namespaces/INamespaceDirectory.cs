namespace Plexus.Kernel.Namespaces;

/// <summary>
/// Where named network namespaces live (<see cref="NamespaceDirectory"/>: bind mounts, which need root). An
/// interface so the controller's sandbox life cycle can be unit-tested without root against a stand-in.
/// </summary>
public interface INamespaceDirectory
{
    string PathOf(string name);

    bool Exists(string name);

    IEnumerable<string> List();

    /// <summary>Creates a new, empty network namespace named <paramref name="name"/> and returns a handle on it.</summary>
    NetworkNamespace Create(string name);

    /// <summary>Removes a named namespace; the kernel frees it once no process or handle uses it.</summary>
    void Delete(string name);
}
