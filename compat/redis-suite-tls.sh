#!/usr/bin/env bash
# Runs the Redis project's own Tcl test suite (external-server mode) IN TLS MODE
# (--tls) against a server whose tls-port is PORT, one unit file at a time, and
# prints a table:
#   unit  ok  err  exception
# The suite is read from a local mirror of redis/redis (fetch it with the
# fetch tool); nothing of it is committed.
# usage: redis-suite.sh PORT OUTDIR [unit ...]   (then suite-score.sh OUTDIR)
# REDIS_REF picks the suite's tag (default 7.0.15, the Debian redis-server).
# The suite connects with its tests/tls certificates (client.crt, trusting
# ca.crt); they are made here with that tree's utils/gen-test-certs.sh when
# missing. Start the server with them, e.g.
#   shardis-server --port 0 --tls-port PORT --tls-cert-file $SUITE/tests/tls/server.crt \
#     --tls-key-file $SUITE/tests/tls/server.key --tls-ca-cert-file $SUITE/tests/tls/ca.crt
# (SUITE=/tmp/redis-suite-$REDIS_REF; print it with `redis-suite-tls.sh --certs`).
set -u
CERTS_ONLY=0; [ "${1:-}" = --certs ] && { CERTS_ONLY=1; set -- 0 /dev/null; }
PORT=${1:?port}; OUT=${2:?outdir}; shift 2
# the mirror lives in a .mirror folder above this one; REDIS_MIRROR overrides
MIRROR=${REDIS_MIRROR:-}
if [ -z "$MIRROR" ]; then
  d=$(cd "$(dirname "$0")" && pwd)
  while [ "$d" != / ]; do
    [ -d "$d/.mirror/redis+redis/repo" ] && { MIRROR=$d/.mirror/redis+redis/repo; break; }
    d=$(dirname "$d")
  done
fi
REF=${REDIS_REF:-7.0.15}
SUITE=/tmp/redis-suite-$REF
if [ ! -d "$SUITE/tests" ]; then
  [ -d "$MIRROR" ] || { echo "no mirror of redis/redis at $MIRROR: fetch github:redis/redis first"; exit 2; }
  mkdir -p "$SUITE" && git -C "$MIRROR" archive "$REF" tests runtest | tar -x -C "$SUITE"
fi
if [ ! -f "$SUITE/tests/tls/client.crt" ]; then
  [ -d "$MIRROR" ] || { echo "no mirror of redis/redis at $MIRROR: fetch github:redis/redis first"; exit 2; }
  git -C "$MIRROR" show "$REF:utils/gen-test-certs.sh" > "$SUITE/gen-test-certs.sh"
  (cd "$SUITE" && bash gen-test-certs.sh >/dev/null 2>&1) || { echo "gen-test-certs.sh failed"; exit 2; }
fi
if [ "$CERTS_ONLY" = 1 ]; then echo "$SUITE/tests/tls"; exit 0; fi
CLI_TLS="--tls --cacert $SUITE/tests/tls/ca.crt --cert $SUITE/tests/tls/client.crt --key $SUITE/tests/tls/client.key"
mkdir -p "$OUT"; : > "$OUT/passed.txt"
if [ $# -eq 0 ]; then
  set -- $(cd "$SUITE/tests" && ls unit/*.tcl unit/type/*.tcl | sed 's/\.tcl$//')
fi
T_OK=0; T_ERR=0; T_EXC=0
printf "%-28s %5s %5s %5s\n" unit ok err exc > "$OUT/summary.txt"
for u in "$@"; do
  log="$OUT/$(echo "$u" | tr / _).log"
  (cd "$SUITE" && timeout ${UNIT_TIMEOUT:-300} ./runtest --tls --host 127.0.0.1 --port "$PORT" --single "$u" \
      --ignore-encoding --ignore-digest --timeout 60 --tags -needs:repl >"$log" 2>&1)
  clean=$(sed 's/\x1b\[[0-9;]*m//g' "$log")
  ok=$(grep -c '^\[ok\]' <<<"$clean"); err=$(grep -c '^\[err\]' <<<"$clean")
  exc=$(grep -c '^\[exception\]\|^\[timeout\]' <<<"$clean")
  grep '^\[ok\]' <<<"$clean" | sed -E "s/^\[ok\]: (.*) \([0-9]+ ms\)$/\1/; s|^|$u\t|" >> "$OUT/passed.txt"
  T_OK=$((T_OK+ok)); T_ERR=$((T_ERR+err)); T_EXC=$((T_EXC+exc))
  printf "%-28s %5d %5d %5d\n" "$u" "$ok" "$err" "$exc" >> "$OUT/summary.txt"
  timeout 10 redis-cli $CLI_TLS -p "$PORT" flushall >/dev/null 2>&1 || true
done
printf "%-28s %5d %5d %5d\n" TOTAL "$T_OK" "$T_ERR" "$T_EXC" >> "$OUT/summary.txt"
cat "$OUT/summary.txt"
