#!/usr/bin/env bash
# Publishes `plexus`, `plexusd` and `plexus-cni` (the CNI plugin) as NativeAOT executables into one fixed folder (default artifacts/native,
# or $PLEXUS_NATIVE_DIR), for everything that installs or runs them: scripts/install.sh, scripts/quickstart.sh,
# scripts/package.sh, the benchmarks and the tests of the native binaries. Prints that folder's path.
#
# The publish is skipped when its inputs (every file under src/, the build props, the SDK's version) are
# unchanged since the last one, so callers in one run share a single publish. Concurrent callers wait for
# each other (flock). Warnings stay errors: a trim or AOT warning fails the publish.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${PLEXUS_NATIVE_DIR:-$root/artifacts/native}"
mkdir -p "$out"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# The native linker step needs a C toolchain (gcc here; clang when present) and zlib's headers.
need=()
command -v gcc >/dev/null 2>&1 || command -v clang >/dev/null 2>&1 || need+=(gcc libc6-dev)
[ -e /usr/include/zlib.h ] || need+=(zlib1g-dev)
if ((${#need[@]})); then
    echo "publish-native: installing ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

exec 9>"$out/.lock"
flock 9

inputs() {
    cd "$root"
    dotnet --version
    sha256sum Directory.Build.props Directory.Packages.props
    find src -type d \( -name bin -o -name obj \) -prune -o -type f -print | LC_ALL=C sort | xargs -d '\n' sha256sum
}
stamp="$(inputs | sha256sum | cut -d' ' -f1)"
if [[ -x "$out/plexus" && -x "$out/plexusd" && -x "$out/plexus-cni" && "$(cat "$out/.inputs" 2>/dev/null)" == "$stamp" ]]; then
    echo "$out"
    exit 0
fi

rm -f "$out/.inputs"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
for project in Cli Daemon Cni; do
    echo "publish-native: publishing src/Plexus.$project (NativeAOT, a few minutes)" >&2
    if ! dotnet publish "$root/src/Plexus.$project" -c Release -r linux-x64 -p:PublishAot=true -p:SelfContained=true \
        -p:TreatWarningsAsErrors=true -o "$out" -nologo -v:quiet -clp:NoSummary >"$log" 2>&1; then
        cat "$log" >&2
        exit 1
    fi
    # Quiet publishes still print warnings; any is a failure here (none is expected, none is allowed).
    if grep -E ': warning [A-Z]+[0-9]+' "$log" >&2; then
        echo "publish-native: src/Plexus.$project published with warnings" >&2
        exit 1
    fi
done
# Symbols stay beside the binaries as *.dbg (for debuggers); nothing else is needed to run them.
echo "$stamp" >"$out/.inputs"
echo "$out"
