#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
# events.py: events clients for events.bats, speaking supd's protocol
# (src/proto.h) directly.
#
#   events.py slow SOCK
#       subscribe (PROTO_EVENTS, only new events) and never read; print
#       "subscribed", and "hung up" once supd has shut the connection
#       down; then sleep until killed
#   events.py flood SUPCTL SOCK N NAME
#       N clients subscribed to NAME's events; `SUPCTL restart NAME`
#       every 0.3 s until every client has read a "started" of NAME, or
#       20 s pass; prints "N of N got started", exit 0 when all did
import select
import socket
import struct
import subprocess
import sys
import time

MAGIC = 0x44505553
PROTO_EVENTS = 23
PROTO_ROW = 100


def subscribe(path, since=b"", names=()):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    payload = since + b"\0" + b"".join(n.encode() + b"\0" for n in names)
    s.sendall(struct.pack("<IHHI", MAGIC, 1, PROTO_EVENTS, len(payload)) +
              payload)
    return s


def rows(buf):
    """Split whole messages off buf: ([(type, fields)], rest)."""
    out = []
    while len(buf) >= 12:
        magic, ver, typ, ln = struct.unpack("<IHHI", buf[:12])
        if magic != MAGIC or len(buf) < 12 + ln:
            break
        out.append((typ, buf[12:12 + ln].split(b"\0")[:-1]))
        buf = buf[12 + ln:]
    return out, buf


def slow(path):
    s = subscribe(path)
    print("subscribed", flush=True)
    # Never read: wait for supd to hang up (poll says so without a read).
    p = select.poll()
    p.register(s, select.POLLRDHUP)
    while not any(ev & (select.POLLRDHUP | select.POLLHUP)
                  for _, ev in p.poll()):
        pass
    print("hung up", flush=True)
    while True:
        time.sleep(3600)


def flood(supctl, path, n, name):
    socks = [subscribe(path, names=(name,)) for _ in range(n)]
    for s in socks:
        s.setblocking(False)
    bufs = [b""] * n
    got = [False] * n
    deadline = time.monotonic() + 20
    next_restart = 0.0
    while not all(got) and time.monotonic() < deadline:
        if time.monotonic() >= next_restart:
            subprocess.run([supctl, "-s", path, "restart", "--no-wait",
                            name], check=True)
            next_restart = time.monotonic() + 0.3
        for i, s in enumerate(socks):
            if got[i]:
                continue
            try:
                data = s.recv(65536)
            except BlockingIOError:
                continue
            if not data:
                print("client %d: connection closed" % i, flush=True)
                return 1
            msgs, bufs[i] = rows(bufs[i] + data)
            for typ, f in msgs:
                if typ == PROTO_ROW and f[1] == name.encode() and \
                        f[2] == b"started":
                    got[i] = True
        time.sleep(0.01)
    print("%d of %d got started" % (sum(got), n), flush=True)
    return 0 if all(got) else 1


if __name__ == "__main__":
    if sys.argv[1] == "slow":
        slow(sys.argv[2])
    elif sys.argv[1] == "flood":
        sys.exit(flood(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                       sys.argv[5]))
    else:
        sys.exit(2)
