#!/usr/bin/env bash
# The project's one test command: installs missing system packages (when root), runs every test project,
# keeps dotnet test's exit code, and ends with the plain line "N passed, N failed, N skipped" that CI reads.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

# System packages the tests need. PostgreSQL: the tests start throwaway clusters from its binaries,
# unless TRACEABILITY_TEST_POSTGRES names a running server.
need=()
if [ -z "${TRACEABILITY_TEST_POSTGRES:-}" ] && [ ! -x /usr/lib/postgresql/15/bin/postgres ]; then
  need+=(postgresql-15)
fi
# RabbitMQ: the messaging tests start a throwaway broker from Debian's binaries (on 127.0.0.1, their own ports).
if [ ! -x /usr/sbin/rabbitmq-server ]; then
  need+=(rabbitmq-server)
fi
# Chromium: the browser tests drive Debian's build through Playwright (Playwright's own download cannot be fetched here).
if [ ! -x /usr/bin/chromium ]; then
  need+=(chromium)
fi
# zbar-tools: zbarimg reads the QR codes back, independently of the library that drew them.
if [ ! -x /usr/bin/zbarimg ]; then
  need+=(zbar-tools)
fi
# wrk: the HTTP load generator for the Api's and the pages' load figures (work to come).
if [ ! -x /usr/bin/wrk ]; then
  need+=(wrk)
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq
    # Installing does not start a server here: the tests start their own on loopback.
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
  else
    echo "missing packages: ${need[*]} (run as root to install them)" >&2
  fi
fi

log=$(mktemp)
# Throwaway servers put their data under TMPDIR: give this run its own, and remove it (stopping any server a
# killed test host left running in it) whatever happens.
run_tmp=$(mktemp -d "${TMPDIR:-/tmp}/traceability-test.XXXXXX")
chmod 755 "$run_tmp"
cleanup() {
  for pgdata in "$run_tmp"/traceability-pg-*; do
    [ -f "$pgdata/postmaster.pid" ] || continue
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
    else /usr/lib/postgresql/15/bin/pg_ctl -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true; fi
  done
  rm -rf "$run_tmp" "$log"
}
trap cleanup EXIT
rc=0
# A hung test fails the run after 8 minutes (with a dump under TestResults) instead of eating the CI budget.
dotnet test Traceability.sln -c Release --blame-hang --blame-hang-timeout 8m 2>&1 | tee "$log" || rc=$?   # pipefail: dotnet's exit code

# Sum the per-assembly lines "Passed!  - Failed: 0, Passed: 12, Skipped: 0, Total: 12, ..." (or "Failed!").
# Colour codes are stripped in case the logger emits them.
summary=$(awk '{ gsub("\033\\[[0-9;]*[A-Za-z]", "") }
  /(Passed|Failed)! +- Failed: +[0-9]+, Passed: +[0-9]+, Skipped: +[0-9]+/ {
    sub(/.*(Passed|Failed)! +- /, ""); gsub(/,/, "")
    f += $2; p += $4; s += $6; n++ }
  END { if (n > 0) printf "%d passed, %d failed, %d skipped\n", p, f, s }' "$log")
if [ -z "$summary" ]; then
  echo "no test summary found"
  exit 1
fi
echo "$summary"
exit "$rc"
