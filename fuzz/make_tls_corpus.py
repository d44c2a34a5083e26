#!/usr/bin/env python3
"""Writes the seed corpus of tls_record_fuzz (fuzz/corpus/tls_record_fuzz/): real ClientHellos, captured from
`openssl s_client` (TLS 1.3, TLS 1.2, TLS 1.1) by a listener on 127.0.0.1 that keeps the first record it
receives and hangs up, and inputs made from them (split reads, byte by byte, a half close, a bad record or an
alert behind the hello), plus plain HTTP and truncated or garbage records. Each seed starts with the 3 prefix
bytes fuzz/tls_record_fuzz.cpp reads first.

Not deterministic: a ClientHello carries a fresh random and key share, so rerunning it rewrites the seeds with
other bytes (the same shapes). Needs only python3 and the openssl CLI; writes no temporary files."""

import os
import shutil
import socket
import struct
import subprocess
import threading

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus", "tls_record_fuzz")

# Byte 0 of an input: bits 0-1 how it is read (0 at once, 1 two reads, 2 three, 3 pieces), then switches.
WHOLE, TWO, THREE, PIECES = 0, 1, 2, 3
EOF, PAUSED = 4, 8


def capture_client_hello(*flags):
    """The first TLS record `openssl s_client FLAGS` sends: its ClientHello."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(10)
    port = listener.getsockname()[1]
    got = {}

    def accept():
        conn, _ = listener.accept()
        conn.settimeout(10)
        data = b""
        with conn:
            while len(data) < 5 or len(data) < 5 + struct.unpack(">H", data[3:5])[0]:
                more = conn.recv(65536)
                if not more:
                    break
                data += more
        got["hello"] = data[: 5 + struct.unpack(">H", data[3:5])[0]]

    t = threading.Thread(target=accept)
    t.start()
    # s_client fails once the listener hangs up without answering; only what it sent matters.
    subprocess.run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost", *flags],
                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20)
    t.join(20)
    listener.close()
    hello = got.get("hello", b"")
    if len(hello) < 6 or hello[0] != 22 or hello[5] != 1:
        raise SystemExit(f"make_tls_corpus: no ClientHello captured from openssl s_client {' '.join(flags)}")
    return hello


def record(content_type, body, version=0x0303):
    return struct.pack(">BHH", content_type, version, len(body)) + body


def write(name, mode, data, cut1=0, cut2=0):
    with open(os.path.join(ROOT, name), "wb") as f:
        f.write(bytes([mode, cut1, cut2]) + data)


def main():
    tls13 = capture_client_hello("-tls1_3")
    tls12 = capture_client_hello("-tls1_2")
    # TLS 1.1 is below the server's minimum (refused with a protocol_version alert); OpenSSL 3 offers it only
    # at security level 0.
    tls11 = capture_client_hello("-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")

    shutil.rmtree(ROOT, ignore_errors=True)
    os.makedirs(ROOT)
    write("tls13_client_hello", WHOLE, tls13)
    write("tls12_client_hello", WHOLE, tls12)
    write("tls11_client_hello_refused", WHOLE, tls11)
    # The hello in two and three reads, and in pieces of 5 and 1 bytes: OpenSSL waits for whole records.
    write("tls13_client_hello_two_reads", TWO, tls13, 3)
    write("tls12_client_hello_three_reads", THREE, tls12, 40, 128)
    write("tls13_client_hello_pieces_of_5", PIECES, tls13, 4)
    write("tls12_client_hello_byte_by_byte", PIECES, tls12, 0)
    # The client leaves: before its hello is whole, and right after it.
    write("tls13_truncated_then_eof", WHOLE | EOF, tls13[: len(tls13) // 2])
    write("tls12_client_hello_then_eof", WHOLE | EOF, tls12)
    # The layer above has paused input: the handshake goes on.
    write("tls13_client_hello_paused", WHOLE | PAUSED, tls13)
    # Behind a good hello: a TLS 1.3 compatibility ChangeCipherSpec and a record that does not decrypt
    # (bad_record_mac), an unexpected plaintext handshake record, and the client's own fatal alert.
    write("tls13_hello_ccs_bad_record", TWO, tls13 + record(20, b"\x01") + record(23, bytes(range(40))), 128)
    write("tls12_hello_then_handshake_garbage", WHOLE, tls12 + record(22, b"\x10\x00\x00\x03abc"))
    write("tls12_hello_then_alert", WHOLE, tls12 + record(21, b"\x02\x28"))
    # What OpenSSL answers without an alert of its own, or with one in the client's odd version: an
    # alert-typed record of the wrong version (and too long) behind the hello, and a hello saying version 2.3.
    write("tls12_hello_then_overlong_alert", WHOLE, tls12 + b"\x15\x03\x00\xda\x03\x00\x02\x02\x28")
    write("tls12_hello_version_2_3", WHOLE, tls12[:9] + b"\x02\x03" + tls12[11:])
    # A hello cut short inside its own length fields, and one whose handshake length overstates the record.
    body = bytearray(tls12[5:])
    body[1:4] = (len(body) + 100).to_bytes(3, "big")
    write("tls12_hello_length_mismatch", WHOLE, record(22, bytes(body), 0x0301))
    write("tls13_hello_record_cut", WHOLE | EOF, tls13[:5] + tls13[5:60])
    # Not TLS: plain HTTP (answered 400 in plain text), an SSLv2-style hello, a record too long, zeros.
    write("http_get", WHOLE, b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8443\r\n\r\n")
    write("http_post_split", TWO, b"POST /publish?channel=a HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi", 2)
    ciphers = bytes.fromhex("0100800300800700c0060040020080040080")
    sslv2 = b"\x01\x03\x01" + struct.pack(">HHH", len(ciphers), 0, 16) + ciphers + bytes(range(16))
    write("sslv2_hello", WHOLE, struct.pack(">H", 0x8000 | len(sslv2)) + sslv2)
    write("record_too_long", WHOLE, b"\x16\x03\x01\xff\xff" + bytes(64))
    write("zero_length_record", WHOLE, record(22, b""))
    write("alert_first", WHOLE, record(21, b"\x02\x00", 0x0301))
    write("garbage", WHOLE, bytes(range(256)) * 2)
    print(f"make_tls_corpus: wrote {len(os.listdir(ROOT))} seeds to {ROOT}")


if __name__ == "__main__":
    main()
