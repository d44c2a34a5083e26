#!/usr/bin/env bash
# rtbench serve over TLS against third-party clients and hostile input: curl --cacert for publish, poll, long
# poll, SSE and HTTP streaming; Python websockets over wss:// (/ws and /echo); openssl s_client for the
# protocol versions (1.2 and 1.3 served, 1.1 refused) and a renegotiation (refused, counted); plain HTTP on
# the TLS port (a plain 400), a ClientHello on the plain port (closed), garbage, and a handshake that stops
# halfway (closed by the header timeout). Meanwhile an SSE subscriber over TLS must receive every event in
# order. Start-up: a missing, mismatched or expired certificate or key is one line and exit 2.
# Usage: tls_interop_test.sh RTBENCH
set -uo pipefail
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
fail() {
  echo "FAIL $*"
  failed=1
}
"$root/scripts/make-test-certs.sh" "$tmp/certs" >/dev/null || { echo "FAIL make-test-certs"; exit 1; }
c=$tmp/certs

# expect_setup_error TEXT ARGS...: serve refuses to start, exit 2, one line containing TEXT
expect_setup_error() {
  local text=$1 out status
  shift
  out=$(timeout 10 "$bin" serve --port 0 "$@" 2>&1)
  status=$?
  [ "$status" -eq 2 ] && [[ $out == *"$text"* ]] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] ||
    fail "serve $*: exit $status, wanted 2 and one line with '$text': $out"
}
expect_setup_error "cannot read it" --tls-cert "$c/server.pem" --tls-key "$c/missing.key"
expect_setup_error "does not match certificate" --tls-cert "$c/server.pem" --tls-key "$c/other.key"
expect_setup_error "has expired" --tls-cert "$c/expired.pem" --tls-key "$c/server.key"
expect_setup_error "not a PEM certificate" --tls-cert "$c/server.key" --tls-key "$c/server.key"

"$bin" serve --port 0 --tls-port 0 --tls-cert "$c/server.pem" --tls-key "$c/server.key" \
  --header-timeout-ms 500 >"$tmp/serve.out" 2>&1 &
server=$!
pids+=("$server")
plain= tls=
for _ in $(seq 50); do
  plain=$(sed -n 's|^rtbench serve: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$tmp/serve.out")
  tls=$(sed -n 's|^rtbench serve: listening on https://127.0.0.1:\([0-9]*\)$|\1|p' "$tmp/serve.out")
  [ -n "$plain" ] && [ -n "$tls" ] && break
  sleep 0.1
done
[ -n "$tls" ] || { echo "FAIL serve printed no https address: $(cat "$tmp/serve.out")"; exit 1; }
https=https://127.0.0.1:$tls
ca=(--cacert "$c/ca.pem" -s --max-time 10)

# A subscriber over TLS for the whole test: every event, in order, whatever the hostile clients do.
curl "${ca[@]}" -N --max-time 30 "$https/sse?channel=watch&since=0" >"$tmp/watch.txt" 2>/dev/null &
pids+=("$!")
publish() { curl "${ca[@]}" -X POST --data "$2" "$https/publish?channel=$1"; }
for _ in $(seq 50); do grep -q '"sse":1' <(curl "${ca[@]}" "$https/stats") && break; sleep 0.1; done
for i in 1 2 3; do publish watch "w$i" >/dev/null; done

# curl over https, every HTTP transport.
id=$(publish interop hello)
[ "$id" = 1 ] || fail "publish over https answered '$id', wanted 1"
out=$(curl "${ca[@]}" "$https/poll?channel=interop&since=0")
[[ $out == *"data: hello"* ]] || fail "poll over https: $out"
out=$(curl "${ca[@]}" "https://localhost:$tls/longpoll?channel=interop&since=0")
[[ $out == *"data: hello"* ]] || fail "longpoll over https://localhost: $out"
out=$(curl "${ca[@]}" -N --max-time 2 "$https/sse?channel=interop&since=0")
[[ $out == *$'id: 1\ndata: hello'* ]] || fail "sse over https: $out"
out=$(curl "${ca[@]}" -N --max-time 2 "$https/stream?channel=interop&since=0")
[[ $out == *"data: hello"* ]] || fail "stream over https: $out"
curl -s --max-time 5 "$https/stats" >/dev/null && fail "curl without --cacert trusted the test CA"

# Python websockets over wss://.
/usr/bin/python3 - "$tls" "$c/ca.pem" <<'EOF' || fail "websockets over wss"
import asyncio, ssl, sys
port, ca = sys.argv[1], sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
async def main():
    import websockets
    async with websockets.connect(f"wss://127.0.0.1:{port}/echo", ssl=ctx) as ws:
        await ws.send("over wss")
        assert await asyncio.wait_for(ws.recv(), 10) == "over wss"
    async with websockets.connect(f"wss://127.0.0.1:{port}/ws?channel=interop&since=0", ssl=ctx) as ws:
        got = await asyncio.wait_for(ws.recv(), 10)
        assert "hello" in got, got
asyncio.run(main())
EOF

# Protocol versions.
for v in 1_2 1_3; do
  out=$(echo | timeout 10 openssl s_client -tls$v -connect "127.0.0.1:$tls" -CAfile "$c/ca.pem" 2>&1)
  [[ $out == *"New, TLSv${v/_/.}, Cipher is "* ]] || fail "TLS ${v/_/.} not served: ${out:0:300}"
done
out=$(echo | timeout 10 openssl s_client -tls1_1 -connect "127.0.0.1:$tls" 2>&1)
[[ $out == *"Cipher is (NONE)"* || $out == *"alert"* ]] || fail "TLS 1.1 was not refused: ${out:0:300}"

# A client-initiated renegotiation: refused, the connection closed, counted.
(sleep 0.5; printf 'R\n'; sleep 1) | timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$tls" \
  -CAfile "$c/ca.pem" >/dev/null 2>&1

# Raw hostile bytes. Prints what the server answered, then "closed" once it closed the connection (10 s max).
raw() {
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import socket, sys, time
port, data = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
s = socket.create_connection(("127.0.0.1", port), timeout=10)
s.sendall(data)
got = b""
try:
    while True:
        chunk = s.recv(4096)
        if not chunk:
            print(got.decode("latin-1")[:200]); print("closed"); break
        got += chunk
except (socket.timeout, ConnectionResetError) as e:
    print(got.decode("latin-1")[:200]); print("closed" if isinstance(e, ConnectionResetError) else "open")
EOF
}
hex() { printf '%s' "$1" | od -An -v -tx1 | tr -d ' \n'; }
out=$(raw "$tls" "$(hex $'GET /stats HTTP/1.1\r\nHost: x\r\n\r\n')")
[[ $out == "HTTP/1.1 400 Bad Request"*"use https://"*"closed" ]] || fail "plain HTTP on the TLS port: $out"
out=$(raw "$tls" "$(printf 'ff%.0s' $(seq 64))")
[[ $out == *closed ]] || fail "garbage on the TLS port was not closed: $out"
out=$(raw "$tls" "160301020001")  # a record header announcing 512 bytes, then silence: a TLS slowloris
[[ $out == *closed ]] || fail "a handshake that stopped halfway was not closed by the header timeout: $out"
curl -s --max-time 5 "https://127.0.0.1:$plain/stats" --cacert "$c/ca.pem" >/dev/null &&
  fail "a TLS handshake on the plain port succeeded"

for i in 4 5 6; do publish watch "w$i" >/dev/null; done
stats=$(curl "${ca[@]}" "$https/stats")
/usr/bin/python3 - "$stats" <<'EOF' || fail "/stats: $stats"
import json, sys
s = json.loads(sys.argv[1])
t = s["tls"]
assert t["plain_http"] == 1, t
assert t["renegotiations_refused"] == 1, t
assert t["handshake_failures"] >= 2, t  # garbage, TLS 1.1
assert t["handshakes_incomplete"] >= 1, t  # the halfway handshake, closed at the header timeout
assert t["tls12"] >= 2 and t["tls13"] >= 5, t
assert s["http"]["parse_errors"] >= 1, s["http"]  # the ClientHello on the plain port
EOF
for _ in $(seq 50); do grep -q 'data: w6' "$tmp/watch.txt" && break; sleep 0.1; done
got=$(sed -n 's/^data: //p' "$tmp/watch.txt" | tr '\n' ' ')
[ "$got" = "w1 w2 w3 w4 w5 w6 " ] || fail "the TLS subscriber got '$got', wanted w1 .. w6 in order"
kill -INT "$server"
wait "$server" 2>/dev/null || fail "serve exit status $? after SIGINT"
pids=("${pids[@]:1}")
[ "$failed" -eq 0 ] && echo "tls interop: all checks passed"
exit $failed
