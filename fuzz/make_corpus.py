#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/: a few small realistic inputs per target, each with the
prefix bytes its target reads first (see the comment at the top of fuzz/<target>.cpp). Deterministic: rerunning
it rewrites the same files, so the seeds can be reviewed as code."""

import os
import shutil
import struct

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
CRLF = b"\r\n"


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def request(line, headers=(), body=b""):
    out = line.encode() + CRLF
    for h in headers:
        out += h.encode() + CRLF
    return out + CRLF + body


def mask(payload, key=b"\x37\xfa\x21\x3d"):
    return bytes(b ^ key[i % 4] for i, b in enumerate(payload))


def frame(op, payload=b"", fin=True, masked=False, key=b"\x37\xfa\x21\x3d"):
    b0 = (0x80 if fin else 0) | op
    n = len(payload)
    m = 0x80 if masked else 0
    if n < 126:
        head = bytes([b0, m | n])
    elif n <= 0xFFFF:
        head = bytes([b0, m | 126]) + struct.pack(">H", n)
    else:
        head = bytes([b0, m | 127]) + struct.pack(">Q", n)
    return head + (key + mask(payload, key) if masked else payload)


# http_request_fuzz: [mode][cut1][cut2] + client bytes. Mode bits 0-1: writes (1-3); the rest are switches.
HALF_CLOSE, SLOW_READER, PUBLISH, SHUTDOWN, ABRUPT_CLOSE = 4, 8, 16, 32, 64


def http_request():
    t = "http_request_fuzz"
    minimal = [f"Host: 127.0.0.1:8080"]
    browser = [
        "Host: localhost:8080",
        "Connection: keep-alive",
        'sec-ch-ua: "Chromium";v="120", "Not?A_Brand";v="8"',
        "sec-ch-ua-mobile: ?0",
        'sec-ch-ua-platform: "Linux"',
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
        "Accept: text/event-stream",
        "Cache-Control: no-cache",
        "Sec-Fetch-Site: same-origin",
        "Sec-Fetch-Mode: cors",
        "Sec-Fetch-Dest: empty",
        "Referer: http://localhost:8080/",
        "Accept-Encoding: gzip, deflate, br",
        "Accept-Language: en-US,en;q=0.9",
    ]
    ws_headers = minimal + [
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
    ]
    one = bytes([1, 0x80, 0x80])
    seeds = {
        "poll_minimal": one + request("GET /poll?channel=a&since=0 HTTP/1.1", minimal),
        "sse_browser": bytes([1 | PUBLISH, 0, 0]) + request("GET /sse?channel=a HTTP/1.1", browser),
        "stats_head": one + request("HEAD /stats HTTP/1.1", minimal),
        "http10_keep_alive": one + request("GET /poll HTTP/1.0", ["Connection: keep-alive"]),
        "pipelined": bytes([3, 0x40, 0x80])
        + request("POST /publish?channel=a HTTP/1.1", minimal + ["Content-Length: 5"], b"hello")
        + request("GET /poll?channel=a&since=0 HTTP/1.1", minimal)
        + request("HEAD /poll?channel=a HTTP/1.1", minimal)
        + request("GET /stats HTTP/1.1", minimal),
        "chunked_publish": bytes([2, 0x60, 0])
        + request(
            "POST /publish?channel=b HTTP/1.1",
            minimal + ["Transfer-Encoding: chunked"],
            b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        )
        + request("GET /poll?channel=b HTTP/1.1", minimal),
        "longpoll_then_publish": bytes([2 | PUBLISH, 0x50, 0])
        + request("GET /longpoll?channel=a&since=0&timeout=50 HTTP/1.1", minimal)
        + request("GET /poll?channel=a HTTP/1.1", minimal),
        "publish_then_longpoll": one
        + request("POST /publish HTTP/1.1", minimal + ["Content-Length: 2"], b"hi")
        + request("GET /longpoll?since=0 HTTP/1.1", minimal),
        "sse_resume": one
        + request("POST /publish?channel=c HTTP/1.1", ["Content-Length: 9"], b"one\ntwo\n3")
        + request("POST /publish?channel=c HTTP/1.1", ["Content-Length: 1"], b"4")
        + request("GET /sse?channel=c HTTP/1.1", minimal + ["Last-Event-ID: 1"]),
        "ws_upgrade_text": bytes([2 | PUBLISH, 0xA0, 0])
        + request("GET /ws?channel=a&since=0 HTTP/1.1", ws_headers)
        + frame(1, b"hello", masked=True)
        + frame(8, struct.pack(">H", 1000), masked=True),
        "ws_echo_fragments": one
        + request("GET /echo HTTP/1.1", ws_headers)
        + frame(1, b"Hel", fin=False, masked=True)
        + frame(9, b"ping", masked=True)
        + frame(0, b"lo", masked=True)
        + frame(2, bytes(range(200)), masked=True),
        "ws_bad_version": one + request("GET /ws HTTP/1.1", ws_headers[:-1] + ["Sec-WebSocket-Version: 8"]),
        "smuggling_cl_te": one
        + request(
            "POST /publish HTTP/1.1", minimal + ["Content-Length: 4", "Transfer-Encoding: chunked"], b"0\r\n\r\n"
        ),
        "close_then_more": bytes([1 | HALF_CLOSE, 0x80, 0x80])
        + request("GET /poll HTTP/1.1", minimal + ["Connection: close"])
        + request("GET /stats HTTP/1.1", minimal),
        "bad_query": one
        + request("GET /poll?since=-1 HTTP/1.1", minimal)
        + request("GET /longpoll?timeout=x HTTP/1.1", minimal)
        + request("GET /sse?channel=%zz HTTP/1.1", minimal),
        "garbage": bytes([3 | HALF_CLOSE, 0x10, 0x90]) + b"GET / HTTP/1.1\r\nHost\r\n\x00\x01\xff \r\n\r\n",
        "not_found_405": one
        + request("DELETE /poll HTTP/1.1", minimal)
        + request("GET /nowhere HTTP/1.1", minimal)
        + request("GET /publish HTTP/1.1", minimal),
        "sse_slow_reader": bytes([1 | SLOW_READER | PUBLISH, 0, 0])
        + request("POST /publish HTTP/1.1", ["Content-Length: 1500"], b"x" * 1500)
        + request("GET /sse HTTP/1.1", minimal),
        "pipelined_slow_reader": bytes([1 | SLOW_READER, 0, 0]) + request("GET /stats HTTP/1.1", minimal) * 24,
        "longpoll_shutdown": bytes([1 | SHUTDOWN, 0, 0])
        + request("GET /longpoll?channel=a HTTP/1.1", minimal)
        + request("GET /poll HTTP/1.1", minimal),
        "sse_ws_shutdown": bytes([1 | SHUTDOWN, 0, 0]) + request("GET /sse HTTP/1.1", minimal),
        "ws_shutdown": bytes([2 | SHUTDOWN | PUBLISH, 0x90, 0])
        + request("GET /ws HTTP/1.1", ws_headers)
        + frame(1, b"from the socket", masked=True),
        "ws_slow_reader": bytes([1 | SLOW_READER | PUBLISH, 0, 0])
        + request("GET /ws?channel=a&since=0 HTTP/1.1", ws_headers),
        "echo_slow_reader": bytes([1 | SLOW_READER, 0, 0])
        + request("GET /echo HTTP/1.1", ws_headers)
        + frame(2, b"\x00" * 1000, masked=True) * 3,
        "abrupt_close_pipelined": bytes([2 | ABRUPT_CLOSE, 0x20, 0]) + request("GET /stats HTTP/1.1", minimal) * 6,
        "abrupt_close_sse": bytes([1 | ABRUPT_CLOSE | PUBLISH, 0, 0]) + request("GET /sse?since=0 HTTP/1.1", minimal),
        "expect_continue": one
        + request("POST /publish HTTP/1.1", minimal + ["Expect: 100-continue", "Content-Length: 3"], b"abc"),
    }
    for name, data in seeds.items():
        write(t, name, data)


# ws_reader_fuzz: [cut1][cut2][cut3] + frames. Both roles read every input.
def ws_reader():
    t = "ws_reader_fuzz"
    cuts = bytes([0x30, 0x80, 0xC0])
    hello_masked = bytes([0x81, 0x85, 0x37, 0xFA, 0x21, 0x3D, 0x7F, 0x9F, 0x4D, 0x51, 0x58])
    seeds = {
        # RFC 6455 5.7, in order.
        "rfc_text_unmasked": bytes([0x81, 0x05]) + b"Hello",
        "rfc_text_masked": hello_masked,
        "rfc_fragmented_unmasked": bytes([0x01, 0x03]) + b"Hel" + bytes([0x80, 0x02]) + b"lo",
        "rfc_ping_pong": bytes([0x89, 0x05]) + b"Hello" + bytes([0x8A, 0x85]) + hello_masked[2:],
        "rfc_binary_256": bytes([0x82, 0x7E, 0x01, 0x00]) + bytes(range(256)),
        "rfc_binary_64k_header": bytes([0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0]) + b"\x00" * 64,
        "masked_fragments_with_ping": frame(1, "žluť".encode()[:3], fin=False, masked=True)
        + frame(9, b"p", masked=True)
        + frame(0, "žluť".encode()[3:], masked=True)
        + frame(8, struct.pack(">H", 1001) + b"bye", masked=True),
        "close_reason": frame(8, struct.pack(">H", 1000) + "konec ✓".encode()),
        "close_invalid_code": frame(8, struct.pack(">H", 1005), masked=True),
        "invalid_utf8": frame(1, b"ok\xc3\x28", masked=True),
        "utf8_split_over_fragments": frame(1, b"\xe2\x82", fin=False) + frame(0, b"\xac euro"),
        "fragment_flood": b"".join(frame(1 if i == 0 else 0, b"x", fin=False, masked=True) for i in range(18)),
        "reserved_bits": bytes([0xC1, 0x80, 1, 2, 3, 4]),
        "nonminimal_length": bytes([0x82, 0x7E, 0x00, 0x05]) + b"abcde",
    }
    for name, data in seeds.items():
        write(t, name, cuts + data)


# sse_parser_fuzz: [limit][finish position][cut1][cut2] + stream.
def sse_parser():
    t = "sse_parser_fuzz"
    server = (
        b"retry: 3000\n\n"
        b"id: 1\ndata: hello\n\n"
        b"id: 2\ndata: line one\ndata: line two\n\n"
        b": heartbeat\n\n"
        b"event: gap\ndata: 3 9\n\n"
    )
    seeds = {
        "server_lf": bytes([3, 0, 0x40, 0xA0]) + server,
        "server_crlf": bytes([3, 0, 0x33, 0x77]) + server.replace(b"\n", b"\r\n"),
        "server_cr": bytes([2, 0, 0x10, 0xF0]) + server.replace(b"\n", b"\r"),
        "bom_and_reconnect": bytes([3, 0xC0, 0x20, 0x90])
        + b"\xef\xbb\xbfid: 7\ndata: a\n\n"
        + b"\xef\xbb\xbfdata: b\n\nid\ndata: c\n\n",
        "fields_odd": bytes([1, 0, 0x50, 0x51])
        + b"data\ndata:\ndata:  two spaces\nid: x\x00y\nretry: 12a\nretry:\nevent:\nunknown: 1\n:comment\n\n",
        "over_limit": bytes([0, 0, 0x80, 0x81]) + b"data: " + b"x" * 40 + b"\n\nevent: " + b"e" * 15 + b"\n",
        "unterminated": bytes([2, 0x90, 0x20, 0xE0]) + b"id: 5\ndata: left open\n",
    }
    for name, data in seeds.items():
        write(t, name, data)


# ws_handshake_fuzz: [flags] + method \n upgrade \n connection \n key \n version \n token.
def ws_handshake():
    t = "ws_handshake_fuzz"
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    seeds = {
        "rfc_example": (0x0F, ["GET", "websocket", "Upgrade", key, "13", "upgrade"]),
        "firefox": (0x0F, ["GET", "websocket", "keep-alive, Upgrade", " " + key + " ", "13", "Keep-Alive"]),
        "version_8": (0x0F, ["GET", "WebSocket", "upgrade", key, "8", "websocket"]),
        "http10": (0x1F, ["GET", "websocket", "Upgrade", key, "13", ""]),
        "no_key": (0x0B, ["GET", "websocket", "Upgrade", "", "13", ",,upgrade,"]),
        "bad_key": (0x0F, ["GET", "websocket", "Upgrade", "dGhlIHNhbXBsZSBub25jZQ=", "13", "\tUPGRADE\t"]),
        "post": (0x0F, ["POST", "h2c, websocket", "Upgrade, HTTP2-Settings", key, "13", "h2c"]),
    }
    for name, (flags, fields) in seeds.items():
        write(t, name, bytes([flags]) + "\n".join(fields).encode())


# http_response_parser_fuzz: [flags: bit 0 = first answers a HEAD][cut1][cut2] + server bytes.
def http_response_parser():
    t = "http_response_parser_fuzz"
    date = b"Date: Wed, 25 Nov 2026 15:00:00 GMT\r\n"
    seeds = {
        "poll_200": b"\x00\x40\xa0HTTP/1.1 200 OK\r\n" + date + b"Content-Type: text/plain\r\nContent-Length: 24\r\n\r\n"
        b"id: 1\ndata: hello\n\nid: 2",
        "pipelined_204_404": b"\x00\x30\x90HTTP/1.1 204 No Content\r\n" + date + b"Cache-Control: no-cache\r\n\r\n"
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n\r\n"
        b"no such path\n",
        "head_answer": b"\x01\x80\x80HTTP/1.1 200 OK\r\nContent-Length: 843\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
        "chunked": b"\x00\x20\xe0HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5\r\nhello\r\n1;ext=1\r\n!\r\n0\r\nTrailer: x\r\n\r\n",
        "sse_stream": b"\x00\x50\x51HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\r\n"
        b"retry: 3000\n\nid: 1\ndata: a\n\n",
        "upgrade_101": b"\x00\x60\x61HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n\x81\x02hi",
        "http10_close": b"\x00\x10\x20HTTP/1.0 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\n\r\nbusy",
    }
    for name, data in seeds.items():
        write(t, name, data)


# query_params_fuzz: name \n query.
def query_params():
    t = "query_params_fuzz"
    seeds = {
        "channel": b"channel\nchannel=news&since=10",
        "since_encoded": b"since\nchannel=a&since=%31%32",
        "timeout_plus": b"timeout\ntimeout=+1%2&timeout=3",
        "empty_value": b"ms\nx=1&ms&ms=5",
        "big_number": b"since\nsince=18446744073709551616",
        "utf8_channel": b"channel\nchannel=%C5%BElu%C5%A5+k%C5%AF%C5%88",
    }
    for name, data in seeds.items():
        write(t, name, data)


if __name__ == "__main__":
    for target in (
        "http_request_fuzz",
        "ws_reader_fuzz",
        "sse_parser_fuzz",
        "ws_handshake_fuzz",
        "http_response_parser_fuzz",
        "query_params_fuzz",
    ):
        shutil.rmtree(os.path.join(ROOT, target), ignore_errors=True)
    http_request()
    ws_reader()
    sse_parser()
    ws_handshake()
    http_response_parser()
    query_params()
