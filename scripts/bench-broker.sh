#!/usr/bin/env bash
# What the Redis backplane costs a broadcast: one server process with the built-in broker vs the same with
# --broker redis:// (a redis-server of its own, no persistence) vs `--workers 2` on that Redis, N WebSocket
# (or other) subscribers of one channel, R events/s. Per round, the three configurations in turn; medians of:
# p50/p99, server CPU per
# delivery (user + system, from /proc of the server), Redis CPU per event published (its /proc over the
# whole load run, divided by the publishes: 10 ms ticks, and its idle housekeeping included) and Redis's own
# time per publish script (INFO commandstats: usec_per_call of EVALSHA). The two workers share core 0 (the
# server's core): their figure is CPU per delivery with the backplane's fan-out to two processes, not a
# throughput figure; server CPU is summed over the workers (rtbench load samples the supervisor's tree). Server and Redis pinned to core 0, the generator to core 1.
# Usage: scripts/bench-broker.sh [CLIENTS] [RATE] [ROUNDS] [TRANSPORT]   (defaults 2000, 100, 3, ws)
#        scripts/bench-broker.sh --knee [CLIENTS] [TRANSPORT] [RATES]   (defaults 1000, ws, "50 100 150 200 250
#        300 400 500"): per configuration, the event rate is raised step by step until a step is not held (a
#        publish slot dropped, an event lost, p99 above 100 ms (the publisher's lateness is in it), deliveries/s under 98% of clients x rate, or the
#        generator the bottleneck); the knee is the last step held: its deliveries/s, p50/p99, server CPU per
#        delivery and Redis CPU per event. One run per step (no medians): the steps are the repetition.
source "$(dirname "$0")/lib/script-help.sh"
set -euo pipefail
cd "$(dirname "$0")/.."
knee=0
if [ "${1:-}" = --knee ]; then
  knee=1
  clients=${2:-1000}
  transport=${3:-ws}
  knee_rates=${4:-50 100 150 200 250 300 400 500}
  rate=0
  rounds=1
else
  clients=${1:-2000}
  rate=${2:-100}
  rounds=${3:-3}
  transport=${4:-ws}
fi
# shellcheck source=scripts/lib/bench-common.sh
source scripts/lib/bench-common.sh
build_rtbench
command -v redis-server >/dev/null || { echo "bench-broker: redis-server is not installed (scripts/install-deps.sh)" >&2; exit 2; }

work=$(mktemp -d)
srv=
redis=
trap '[ -n "$srv" ] && kill -INT "$srv" 2>/dev/null; [ -n "$redis" ] && kill "$redis" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# $1: local|redis|redis2 -> "p50_us p99_us server_cpu_us_per_delivery redis_cpu_us_per_event lost
# redis_script_us events_per_s publish_dropped generator_bottleneck load_status". A load that fails (exit 1) still
# answers when it wrote its CSV: in --knee mode that is a step not held, not an error.
measure() {
  local port rport broker_args=() redis_before=0 redis_after=0
  port=$(free_port)
  if [ "$1" != local ]; then
    rport=$(free_port)
    taskset -c 0 redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no --logfile "" \
      >"$work/redis.log" 2>&1 &
    redis=$!
    for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    broker_args=(--broker "redis://127.0.0.1:$rport/bench")
    [ "$1" = redis2 ] && broker_args+=(--workers 2)
  fi
  taskset -c 0 "$bin" serve --port "$port" "${broker_args[@]}" >"$work/serve.log" 2>&1 &
  srv=$!
  wait_http "http://127.0.0.1:$port/stats"
  [ -n "$redis" ] && redis_before=$(cpu_ticks "$redis")
  rm -f "$work/load.csv"
  local load_status=0
  taskset -c 1 "$bin" load --url "http://127.0.0.1:$port" --transport "$transport" -c "$clients" --rate "$rate" \
    --warmup-s 2 -d 10 --drain-s 2 --server-pid "$srv" -q --csv "$work/load.csv" >"$work/load.out" ||
    load_status=$?
  if [ "$load_status" -ne 0 ] && { [ "$knee" -eq 0 ] || [ "$load_status" -ne 1 ] || [ ! -s "$work/load.csv" ]; }; then
    cat "$work/load.out" >&2
    exit 1
  fi
  local script_us=0
  if [ -n "$redis" ]; then
    redis_after=$(cpu_ticks "$redis")
    script_us=$(redis-cli -p "$rport" info commandstats | tr -d '\r' |
      awk -F'[:,=]' '/^cmdstat_evalsha:/ { for (i = 1; i < NF; i++) if ($i == "usec_per_call") print $(i + 1) }')
  fi
  kill -INT "$srv"
  wait "$srv" || true
  srv=
  if [ -n "$redis" ]; then
    kill "$redis"
    wait "$redis" 2>/dev/null || true
    redis=
  fi
  local sent
  sent=$(csv_column "$work/load.csv" publish_sent)
  awk -v p50="$(csv_column "$work/load.csv" p50_us)" -v p99="$(csv_column "$work/load.csv" p99_us)" \
    -v cpu="$(csv_column "$work/load.csv" server_cpu_us_per_op)" -v lost="$(csv_column "$work/load.csv" lost)" \
    -v rt=$((redis_after - redis_before)) -v tick="$tick" -v sent="$sent" -v mode="$1" -v s="${script_us:-0}" \
    -v eps="$(csv_column "$work/load.csv" events_per_s)" -v dropped="$(csv_column "$work/load.csv" publish_dropped)" \
    -v gb="$(csv_column "$work/load.csv" generator_bottleneck)" -v st="$load_status" 'BEGIN {
      r = (mode != "local" && sent > 0) ? rt / tick * 1e6 / sent : 0
      printf "%s %s %s %.1f %s %s %s %s %s %s\n", p50, p99, cpu, r, lost, s, eps, dropped, gb, st }'
}

# --knee: per configuration, raise the rate until a step is not held; print every step and the knee.
if [ "$knee" -eq 1 ]; then
  echo "bench-broker --knee: $clients $transport subscribers, rates $knee_rates events/s; $(nproc) cores, $(uname -r)"
  for mode in local redis redis2; do
    held=
    for rate in $knee_rates; do
      line=$(measure "$mode")
      verdict=$(awk -v c="$clients" -v r="$rate" '{
        why = ""
        if ($5 > 0) why = why " lost " $5
        if ($8 > 0) why = why " " $8 " publish slots dropped"
        if ($2 > 100000) why = why " p99 " $2 " us > 100 ms"
        if ($7 < 0.98 * c * r) why = why " " $7 " deliveries/s < 98% of " c * r
        if ($9 != 0) why = why " generator-bound"
        print (why == "") ? "held" : "not held:" why }' <<<"$line")
      echo "$mode rate $rate: p50_us p99_us server_cpu_us_per_delivery redis_cpu_us_per_event lost redis_script_us events_per_s publish_dropped generator_bottleneck load_status = $line -> $verdict"
      [ "$verdict" = held ] || break
      held="$rate $line"
    done
    if [ -z "$held" ]; then
      echo "KNEE $mode: none held (the lowest rate already failed)"
    else
      awk -v mode="$mode" -v c="$clients" '{ printf "KNEE %s: %d deliveries/s (%d events/s x %d), p50 %s us, p99 %s us, server CPU %s us per delivery, Redis CPU %s us per event\n", mode, $8, $1, c, $2, $3, $4, $5 }' <<<"$held"
    fi
  done
  exit 0
fi

echo "bench-broker: $clients $transport subscribers, $rate events/s, $rounds rounds; $(nproc) cores, $(uname -r)"
for round in $(seq "$rounds"); do
  for mode in local redis redis2; do
    line=$(measure "$mode")
    echo "round $round $mode: p50_us p99_us server_cpu_us_per_delivery redis_cpu_us_per_event lost redis_script_us = $line"
    echo "$line" >>"$work/$mode"
  done
done
col() { awk -v c="$2" '{ print $c }' "$work/$1" | median; }
l_cpu=$(col local 3)
r_cpu=$(col redis 3)
echo "medians:"
printf "  local: p50 %s us, p99 %s us, server CPU %s us per delivery, lost %s\n" "$(col local 1)" "$(col local 2)" "$l_cpu" "$(col local 5)"
printf "  redis: p50 %s us, p99 %s us, server CPU %s us per delivery, Redis CPU %s us per event, lost %s\n" \
  "$(col redis 1)" "$(col redis 2)" "$r_cpu" "$(col redis 4)" "$(col redis 5)"
printf "  redis, 2 workers: p50 %s us, p99 %s us, server CPU %s us per delivery, Redis CPU %s us per event (%s us in the publish script), lost %s\n" \
  "$(col redis2 1)" "$(col redis2 2)" "$(col redis2 3)" "$(col redis2 4)" "$(col redis2 6)" "$(col redis2 5)"
awk -v l="$l_cpu" -v r="$r_cpu" 'BEGIN { printf "HEADLINE server CPU per delivery, redis/local: %.2fx (target <= 1.2x)\n", r / l }'
