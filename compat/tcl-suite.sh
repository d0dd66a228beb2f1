#!/usr/bin/env bash
# Runs units of Redis's own Tcl test suite in its normal mode (not external):
# the suite starts and configures its own servers — primaries, replicas,
# chains — through src/redis-server, which here is shardis
# (compat/tcl/redis-server), so the replication tests drive shardis.
#   usage: compat/tcl-suite.sh OUTDIR unit...      e.g. integration/replication
#          REFERENCE=1 compat/tcl-suite.sh …       the same with Debian's redis-server 7.0.15
#          REDIS_REF=7.4.1 REFERENCE=1 REDIS_SERVER=…/redis-7.4.1/src/redis-server compat/tcl-suite.sh …   7.4.1 on its own suite
# Prints ok / err / exception per unit, as ../shared/compat/redis-suite.sh
# does; the suite comes from a local mirror of redis/redis (the fetch tool),
# extracted as redis-suite.sh extracts it.
set -u
OUT=${1:?outdir}; shift
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REF=${REDIS_REF:-7.0.15}
SUITE=/tmp/redis-suite-$REF
if [ ! -d "$SUITE/tests" ]; then
  MIRROR=${REDIS_MIRROR:-}
  if [ -z "$MIRROR" ]; then
    d=$ROOT
    while [ "$d" != / ]; do
      [ -d "$d/.mirror/redis+redis/repo" ] && { MIRROR=$d/.mirror/redis+redis/repo; break; }
      d=$(dirname "$d")
    done
  fi
  [ -d "$MIRROR" ] || { echo "no mirror of redis/redis: fetch github:redis/redis first"; exit 2; }
  mkdir -p "$SUITE" && git -C "$MIRROR" archive "$REF" tests runtest | tar -x -C "$SUITE"
fi
# a private copy: the suite writes its servers' files under tests/tmp
WORK=$(mktemp -d /tmp/shardis-tcl-XXXXXX)
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
cp -r "$SUITE/tests" "$SUITE/runtest" "$WORK/"
mkdir -p "$WORK/src"
if [ "${REFERENCE:-0}" = 1 ]; then ln -s "${REDIS_SERVER:-$(command -v redis-server)}" "$WORK/src/redis-server"
else ln -s "$ROOT/compat/tcl/redis-server" "$WORK/src/redis-server"; fi
for t in redis-cli redis-benchmark redis-check-aof redis-check-rdb; do
  command -v $t >/dev/null && ln -s "$(command -v $t)" "$WORK/src/$t"
done
mkdir -p "$OUT"
# TCL_ARGS: more runtest arguments, e.g. --only 'PSYNC*' to run some tests of a unit
read -r -a EXTRA <<<"${TCL_ARGS:-}"
# ports of their own below the ephemeral range, so that two runs side by side do not collide (TCL_BASEPORT to choose)
BASE=${TCL_BASEPORT:-$((10000 + RANDOM % 20 * 1000 + 100))}
# cluster units: shardis nodes keep their fleet in an etcd started for the run (Debian's etcd-server), each unit
# under a prefix of its own so that one unit's nodes never meet another's
ETCD_URL=""
if [ "${REFERENCE:-0}" != 1 ] && printf '%s\n' "$@" | grep -q cluster; then
  EPORT=$((BASE + 1010)); ETCD_URL="http://127.0.0.1:$EPORT"
  etcd --name tcl --data-dir "$WORK/etcd" --listen-client-urls "$ETCD_URL" --advertise-client-urls "$ETCD_URL" \
    --listen-peer-urls "http://127.0.0.1:$((EPORT + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((EPORT + 1))" \
    --initial-cluster "tcl=http://127.0.0.1:$((EPORT + 1))" --log-level error >"$WORK/etcd.log" 2>&1 &
  ETCD_PID=$!
  trap 'kill $ETCD_PID 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT
  for _ in $(seq 1 100); do curl -sf "$ETCD_URL/health" >/dev/null && break; sleep 0.1; done
fi
BASE_ARGS=${SHARDIS_ARGS:-}
printf "%-32s %5s %5s %5s\n" unit ok err exc | tee "$OUT/summary.txt"
for u in "$@"; do
  log="$OUT/$(echo "$u" | tr / _).log"
  [ -n "$ETCD_URL" ] && export SHARDIS_ARGS="$BASE_ARGS --cluster-etcd-endpoints $ETCD_URL --cluster-etcd-prefix /tcl/$RANDOM$RANDOM/"
  (cd "$WORK" && timeout ${UNIT_TIMEOUT:-900} ./runtest --single "$u" --clients 1 --timeout 120 --dump-logs --baseport "$BASE" --portcount 1000 "${EXTRA[@]}" >"$log" 2>&1)
  clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  ok=$(grep -c '^\[ok\]' <<<"$clean"); err=$(grep -c '^\[err\]' <<<"$clean")
  exc=$(grep -c '^\[exception\]\|^\[timeout\]' <<<"$clean")
  printf "%-32s %5s %5s %5s\n" "$u" "$ok" "$err" "$exc" | tee -a "$OUT/summary.txt"
done
