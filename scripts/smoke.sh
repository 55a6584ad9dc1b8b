#!/usr/bin/env bash
# Boots the bundled binary on a fresh embedded database, waits until it is
# ready, then stops it with SIGTERM and expects a clean exit.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f dist/guildhall.mjs ] || npm run build:bin

data=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
log="$data/smoke.log"
env -u DATABASE_URL PORT="$port" GUILDHALL_DATA_DIR="$data/db" node dist/guildhall.mjs serve >"$log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT

for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/health/ready" >/dev/null 2>&1; then break; fi
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "FATAL: the binary exited during boot" >&2; exit 1; }
  sleep 1
done
curl -fsS "http://127.0.0.1:$port/health/ready" || { cat "$log"; echo "FATAL: never became ready" >&2; exit 1; }
echo
grep -q 'gh_live_' "$log" || { cat "$log"; echo "FATAL: first boot printed no operator key" >&2; exit 1; }

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
cat "$log"
[ "$status" -eq 0 ] || { echo "FATAL: exit status $status after SIGTERM" >&2; exit 1; }
echo "smoke: ready on :$port, clean shutdown"
