"""Sends one fixed stream of pipelined HTTP/1.1 requests over one connection and reads until every answer
arrived (counted by status lines). The instruction-count bench uses it so rtbench and nginx see the same
bytes. Usage: pipelined_requests.py HOST PORT COUNT TARGET; prints the number of answers, exit 1 when fewer
arrived than were asked for (or the server closed early), within 120 s."""
import socket
import sys


def main() -> int:
    host, port, count, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    request = f"GET {target} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((host, port), timeout=120) as s:
        s.sendall(request * count)
        status = b"HTTP/1.1 "
        answers, tail = 0, b""
        while answers < count:
            data = s.recv(1 << 16)
            if not data:
                break
            # The tail is one byte shorter than a status line: none lies in it whole, so none counts twice.
            chunk = tail + data
            answers += chunk.count(status)
            tail = chunk[-(len(status) - 1):]
    print(answers)
    return 0 if answers == count else 1


if __name__ == "__main__":
    sys.exit(main())
