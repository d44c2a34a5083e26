#!/usr/bin/python3
"""Third-party WebSocket client for ws_interop_test: drives /echo and /ws of an rtbench server with Debian's
python3-websockets (not our code) and prints one line per check: "ok <name>" or "FAIL <name>: <why>".

Usage: ws_interop_client.py <port>. Exit status 0 when every check passed.
"""
import asyncio
import sys
import urllib.request

import websockets

PORT = int(sys.argv[1])
BASE = f"ws://127.0.0.1:{PORT}"
TIMEOUT = 10


def http(method, path, body=None):
    req = urllib.request.Request(f"http://127.0.0.1:{PORT}{path}", data=body, method=method)
    with urllib.request.urlopen(req, timeout=TIMEOUT) as r:
        return r.status, r.read()


async def recv(ws):
    return await asyncio.wait_for(ws.recv(), TIMEOUT)


async def echo_text():
    async with websockets.connect(f"{BASE}/echo") as ws:
        for text in ["hello interop", "", "κόσμε 𝄞", "x" * 200_000]:
            await ws.send(text)
            got = await recv(ws)
            assert got == text, f"sent {len(text)} chars, got {len(got)}"


async def echo_binary():
    async with websockets.connect(f"{BASE}/echo") as ws:
        for data in [bytes(range(256)) * 10, b"", b"\x00" * 70_000]:
            await ws.send(data)
            got = await recv(ws)
            assert got == data, f"sent {len(data)} bytes, got {len(got)}"


async def fragmented_send():
    async with websockets.connect(f"{BASE}/echo") as ws:
        await ws.send(["frag", "mented", " κόσμε"])  # an iterable is sent as fragments of one message
        got = await recv(ws)
        assert got == "fragmented κόσμε", repr(got)
        await ws.send([b"\x01", b"\x02\x03", b""])
        got = await recv(ws)
        assert got == b"\x01\x02\x03", repr(got)


async def ping():
    async with websockets.connect(f"{BASE}/echo") as ws:
        for payload in [b"interop ping", b""]:
            waiter = await ws.ping(payload)
            await asyncio.wait_for(waiter, TIMEOUT)


async def close_code_round_trip():
    ws = await websockets.connect(f"{BASE}/echo")
    await ws.close(code=4001, reason="bye")
    assert ws.close_code == 4001, f"server answered {ws.close_code}"
    ws = await websockets.connect(f"{BASE}/echo")
    await ws.close()  # 1000
    assert ws.close_code == 1000, f"server answered {ws.close_code}"


async def server_close_code():
    async with websockets.connect(f"{BASE}/ws?channel=interop-binary") as ws:
        await ws.send(b"binary is refused on /ws")
        try:
            await recv(ws)
        except websockets.ConnectionClosed as e:
            assert e.rcvd is not None and e.rcvd.code == 1003, f"closed with {e.rcvd}"
            return
        raise AssertionError("no close after a binary message on /ws")


async def ws_receives_published_events():
    async with websockets.connect(f"{BASE}/ws?channel=interop") as ws:
        status, body = http("POST", "/publish?channel=interop", "published over http".encode())
        assert status == 200 and body == b"1", (status, body)
        got = await recv(ws)
        assert got == "1 published over http", repr(got)
        await ws.send("sent over ws")  # published to the channel: comes back to the sender too
        got = await recv(ws)
        assert got == "2 sent over ws", repr(got)
    status, body = http("GET", "/poll?channel=interop&since=1")
    assert status == 200 and body == b"id: 2\ndata: sent over ws\n\n", (status, body)
    async with websockets.connect(f"{BASE}/ws?channel=interop&since=0") as ws:
        got = [await recv(ws), await recv(ws)]
        assert got == ["1 published over http", "2 sent over ws"], got


async def server_pings_are_answered():
    # The test server pings every 100 ms and drops peers that stay silent; the library answers by itself.
    async with websockets.connect(f"{BASE}/echo", ping_interval=None) as ws:
        await asyncio.sleep(0.6)
        await ws.send("still here")
        got = await recv(ws)
        assert got == "still here", repr(got)


CHECKS = [echo_text, echo_binary, fragmented_send, ping, close_code_round_trip, server_close_code,
          ws_receives_published_events, server_pings_are_answered]


async def main():
    failed = 0
    for check in CHECKS:
        try:
            await asyncio.wait_for(check(), 3 * TIMEOUT)
            print(f"ok {check.__name__}", flush=True)
        except Exception as e:  # report every check, not just the first failure
            failed += 1
            print(f"FAIL {check.__name__}: {type(e).__name__}: {e}", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    print(f"websockets {websockets.__version__}", flush=True)
    sys.exit(asyncio.run(main()))
