#!/usr/bin/env bash
# Runs inside the private namespace made by in-private-netns.sh: the test suite, then a check that
# the suite left nothing behind in this namespace (links other than lo, namespaces, mounts). A failed
# test's message and stack are printed again at the end, where a CI log's tail shows them.
set -uo pipefail
cd "$(dirname "$0")/.."
results=$(mktemp -d)
dotnet test Plexus.slnx -c "${CONFIGURATION:-Release}" --no-build --no-restore -v quiet -nologo \
  --results-directory "$results" --logger trx "$@"
status=$?
# Each failed result of the TRX files: its name, then its message and the first lines of its stack.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  awk '/<UnitTestResult / && /outcome="Failed"/ { failed = 1; lines = 0
         match($0, /testName="[^"]*"/); print "FAILED: " substr($0, RSTART + 10, RLENGTH - 11); next }
       failed && /<\/UnitTestResult>/ { failed = 0; print ""; next }
       failed && lines < 25 && !/^[ \t]*<\/?(Output|ErrorInfo|Message|StackTrace)>$/ { sub(/^[ \t]+/, ""); print "  " $0; lines++ }' "$trx"
done
rm -rf "$results"
leaks=$(ip -o link show | awk -F': ' '$2 != "lo" {print $2}')
mounts=$(grep ' /run/plexus' /proc/self/mounts | awk '{print $2}' || true)
if [ -n "$leaks" ] || [ -n "$mounts" ]; then
  echo "LEAK: the tests left behind links [${leaks//$'\n'/ }] and mounts [${mounts//$'\n'/ }]"
  status=1
fi
exit "$status"
