#!/usr/bin/env bash
# rtbench-floor answers one fixed 204 per complete request head: pipelined heads in one write get as many
# answers, a head split across writes gets one; bad arguments are exit 2, --help exit 0, a signal exit 0.
set -euo pipefail
floor=$1
fail() { echo "FAIL: $*" >&2; exit 1; }

"$floor" --help | grep -q "Usage: rtbench-floor" || fail "--help"
set +e
"$floor" --port 0 2>/dev/null; [ $? -eq 2 ] || fail "--port 0 is not exit 2"
"$floor" --bogus 2>/dev/null; [ $? -eq 2 ] || fail "an unknown argument is not exit 2"
set -e

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$floor" --port "$port" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT

python3 - "$port" <<'PY'
import socket, sys, time
port = int(sys.argv[1])
answer = b"HTTP/1.1 204 No Content\r\n"
for _ in range(50):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("FAIL: rtbench-floor did not listen within 5 s")
s.settimeout(5)

def read_answers(n):
    data = b""
    while data.count(answer) < n:
        chunk = s.recv(65536)
        if not chunk:
            sys.exit(f"FAIL: closed after {data.count(answer)} of {n} answers")
        data += chunk
    return data

head = b"GET /poll HTTP/1.1\r\nHost: x\r\n\r\n"
s.sendall(head * 3)  # pipelined: three answers
got = read_answers(3)
if got.count(answer) != 3:
    sys.exit(f"FAIL: three pipelined heads got {got.count(answer)} answers")
s.sendall(head[:-3])  # a head split across two writes, the split inside "\r\n\r\n": one answer
time.sleep(0.1)
s.sendall(head[-3:])
if read_answers(1).count(answer) != 1:
    sys.exit("FAIL: a split head got more than one answer")
s.sendall(head * 200)  # more than one write batch of answers
if read_answers(200).count(answer) != 200:
    sys.exit("FAIL: 200 pipelined heads")
s.setblocking(False)
try:
    extra = s.recv(65536)
    sys.exit(f"FAIL: {len(extra)} bytes more than the answers")
except BlockingIOError:
    pass
print("floor: every head answered once")
PY
kill -INT "$pid"
wait "$pid" || fail "SIGINT did not end rtbench-floor with exit 0"
trap - EXIT
echo "ok"
