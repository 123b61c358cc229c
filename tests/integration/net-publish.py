# SPDX-License-Identifier: ISC
"""net-publish.py: the servers and clients of net-publish.bats and
bench/forward-*.sh (python3's standard library only).

Servers (run in the namespace playing the service; print "listening"):
  echo PORT          TCP: echo every byte; at EOF shut down writing, close
  sum PORT           TCP: read to EOF, then answer the sha256 of what came and
                     1 MiB of data derived from it (only after the EOF: a
                     half-close must pass through for the answer to come)
  udp-echo PORT      UDP: echo every datagram
  rr PORT            TCP: read 100 bytes, answer 100 bytes, until EOF
  late PORT          TCP echo that answers a SYN late: its accept queue is
                     full (backlog 0, one connection of its own queued) until
                     the kernel has dropped a SYN (ListenDrops grew; prints
                     "dropped"), then it accepts: the client's SYN is
                     retransmitted about 1 s later and its connect completes
                     only then (within 30 s, or it exits 1)

Clients (exit 0 when every check holds, 1 with a message when not):
  many PORT N SIZE   N concurrent connections, each sends SIZE random bytes,
                     shuts down writing and must get them back (sha256)
  halfclose PORT     send 1 MiB, shut down writing, then get the sum answer
  reset PORT         connect, send a line: the peer must reset or close it
                     within 2 s (never hang); prints reset or eof
  refused PORT       a connect must be refused (ECONNREFUSED) within 2 s
  hold PORT N PID SIG  N echo connections checked, then kill(PID, SIG): each
                     must be reset within 2 s, and a new connect refused
  maxconn PORT MAX   MAX echo connections checked; one more is reset at once;
                     after one of the MAX closes, a new one works (prints how
                     many were reset: a retry may come before the forwarder
                     saw the close)
  slow PORT          A sends without ever reading; B's 1 MiB round trip
                     must complete within 10 s meanwhile
  udp PORT           two clients, 20 datagrams each, echoes byte for byte
  once PORT          one echo connection checked (5 s to answer)
"""
import hashlib
import os
import selectors
import signal
import socket
import sys
import threading
import time

HOST = "127.0.0.1"


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def listener(port, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    if kind == socket.SOCK_STREAM:
        s.listen(1024)
    print("listening", flush=True)
    return s


def serve(port, handler):
    s = listener(port)
    while True:
        c, _ = s.accept()
        threading.Thread(target=handler, args=(c,), daemon=True).start()


def echo_conn(c):
    try:
        while True:
            b = c.recv(65536)
            if not b:
                c.shutdown(socket.SHUT_WR)
                break
            c.sendall(b)
    except OSError:
        pass
    c.close()


def derived(digest, size=1 << 20):
    out = bytearray()
    block = digest
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block * 64
    return bytes(out[:size])


def sum_conn(c):
    h = hashlib.sha256()
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
        c.sendall(h.hexdigest().encode() + b"\n" + derived(h.digest()))
    except OSError:
        pass
    c.close()


def rr_conn(c):
    try:
        while True:
            b = b""
            while len(b) < 100:
                r = c.recv(100 - len(b))
                if not r:
                    c.close()
                    return
                b += r
            c.sendall(b)
    except OSError:
        c.close()


def udp_echo(port):
    s = listener(port, socket.SOCK_DGRAM)
    while True:
        b, a = s.recvfrom(65536)
        s.sendto(b, a)


def listen_drops():
    """TcpExt ListenDrops of this network namespace."""
    with open("/proc/net/netstat") as f:
        rows = [line.split() for line in f if line.startswith("TcpExt:")]
    return int(rows[1][rows[0].index("ListenDrops")])


def late(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((HOST, port))
    s.listen(0)
    filler = socket.create_connection((HOST, port))  # noqa: F841 (held)
    base = listen_drops()
    print("listening", flush=True)
    deadline = time.monotonic() + 30
    while listen_drops() == base:
        if time.monotonic() > deadline:
            fail("no SYN was dropped in 30 s")
        time.sleep(0.01)
    print("dropped", flush=True)
    while True:
        c, _ = s.accept()
        threading.Thread(target=echo_conn, args=(c,), daemon=True).start()


def connect(port, timeout=5):
    c = socket.create_connection((HOST, port), timeout=timeout)
    return c


def many(port, n, size):
    """N connections driven together in one selector loop."""
    sel = selectors.DefaultSelector()
    st = {}
    for i in range(n):
        c = socket.socket()
        c.setblocking(False)
        c.connect_ex((HOST, port))
        data = os.urandom(size)
        st[c] = {"data": data, "off": 0, "got": hashlib.sha256(), "n": 0,
                 "want": hashlib.sha256(data).hexdigest(), "shut": False}
        sel.register(c, selectors.EVENT_READ | selectors.EVENT_WRITE)
    deadline = time.monotonic() + 60
    done = 0
    while done < n:
        if time.monotonic() > deadline:
            fail("%d of %d connections done after 60 s" % (done, n))
        for key, ev in sel.select(1):
            c, s = key.fileobj, st[key.fileobj]
            if ev & selectors.EVENT_WRITE and not s["shut"]:
                try:
                    s["off"] += c.send(s["data"][s["off"]:s["off"] + 65536])
                except BlockingIOError:
                    pass
                if s["off"] == len(s["data"]):
                    c.shutdown(socket.SHUT_WR)
                    s["shut"] = True
                    sel.modify(c, selectors.EVENT_READ)
            if ev & selectors.EVENT_READ:
                try:
                    b = c.recv(65536)
                except BlockingIOError:
                    continue
                if b:
                    s["got"].update(b)
                    s["n"] += len(b)
                    continue
                sel.unregister(c)
                c.close()
                if s["got"].hexdigest() != s["want"]:
                    fail("connection got %d bytes of %d, sha256 differs"
                         % (s["n"], size))
                done += 1
    print("ok %d" % n)


def halfclose(port):
    c = connect(port)
    data = os.urandom(1 << 20)
    c.sendall(data)
    c.shutdown(socket.SHUT_WR)
    c.settimeout(10)
    got = bytearray()
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            got += b
    except socket.timeout:
        fail("no answer 10 s after our shutdown (%d bytes)" % len(got))
    h = hashlib.sha256(data)
    want = h.hexdigest().encode() + b"\n" + derived(h.digest())
    if bytes(got) != want:
        fail("answer of %d bytes, wanted %d" % (len(got), len(want)))
    print("ok")


def expect_reset(c, secs=2.0):
    """'reset' or 'eof' once the peer ends c; fails after secs."""
    c.settimeout(secs)
    t0 = time.monotonic()
    try:
        while True:
            if not c.recv(65536):
                return "eof"
    except ConnectionResetError:
        return "reset"
    except socket.timeout:
        fail("neither reset nor closed after %.1f s" % (time.monotonic() - t0))


def reset(port):
    try:
        c = connect(port)
        c.sendall(b"hello\n")
    except (ConnectionResetError, BrokenPipeError):
        print("reset")
        return
    print(expect_reset(c))


def refused(port):
    t0 = time.monotonic()
    try:
        connect(port, timeout=2)
    except ConnectionRefusedError:
        print("refused")
        return
    except socket.timeout:
        fail("connect neither refused nor done after %.1f s"
             % (time.monotonic() - t0))
    fail("connect succeeded")


def echo_ok(c, tag):
    msg = os.urandom(1000)
    c.sendall(msg)
    c.settimeout(5)
    got = b""
    while len(got) < len(msg):
        b = c.recv(65536)
        if not b:
            break
        got += b
    if got != msg:
        fail("%s: echo of %d bytes came back as %d" % (tag, len(msg), len(got)))


def hold(port, n, pid, sig):
    conns = [connect(port) for _ in range(n)]
    for i, c in enumerate(conns):
        echo_ok(c, "connection %d" % i)
    os.kill(pid, sig)
    for i, c in enumerate(conns):
        r = expect_reset(c)
        if r != "reset":
            fail("connection %d: %s, not reset" % (i, r))
    refused(port)


def maxconn(port, mx):
    conns = [connect(port) for _ in range(mx)]
    for i, c in enumerate(conns):
        echo_ok(c, "connection %d" % i)
    try:
        extra = connect(port)
        extra.sendall(b"x")
        r = expect_reset(extra)
    except (ConnectionResetError, BrokenPipeError):
        r = "reset"
    if r != "reset":
        fail("connection over the limit: %s, not reset" % r)
    conns.pop().close()
    # The forwarder sees that close on its next turn: retry until a deadline.
    deadline = time.monotonic() + 5
    resets = 1
    while True:
        try:
            c = connect(port)
            echo_ok(c, "after a close")
            break
        except (ConnectionResetError, BrokenPipeError, SystemExit):
            resets += 1
            if time.monotonic() > deadline:
                fail("no new connection 5 s after one closed")
            time.sleep(0.05)
    print("ok resets=%d" % resets)


def slow(port):
    a = connect(port)
    a.setblocking(False)
    sent = 0
    junk = b"x" * 65536
    deadline = time.monotonic() + 5
    # Fill every buffer between A and the echo server, both ways.
    while time.monotonic() < deadline:
        try:
            sent += a.send(junk)
        except BlockingIOError:
            time.sleep(0.1)
            try:
                sent += a.send(junk)
            except BlockingIOError:
                break
    t0 = time.monotonic()
    b = connect(port)
    data = os.urandom(1 << 20)
    threading.Thread(target=lambda: (b.sendall(data),
                                     b.shutdown(socket.SHUT_WR)),
                     daemon=True).start()
    b.settimeout(10)
    h, n = hashlib.sha256(), 0
    try:
        while True:
            r = b.recv(65536)
            if not r:
                break
            h.update(r)
            n += len(r)
    except socket.timeout:
        fail("B got %d of %d bytes in 10 s while A stalled (%d bytes sent)"
             % (n, len(data), sent))
    if h.digest() != hashlib.sha256(data).digest():
        fail("B: sha256 differs")
    print("ok A stalled after %d bytes, B took %.2f s"
          % (sent, time.monotonic() - t0))


def udp(port):
    for k in range(2):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(2)
        for i in range(20):
            msg = os.urandom(1 + (i * 997) % 8000)
            s.sendto(msg, (HOST, port))
            try:
                got, _ = s.recvfrom(65536)
            except socket.timeout:
                fail("client %d datagram %d: no echo in 2 s" % (k, i))
            if got != msg:
                fail("client %d datagram %d: echo differs" % (k, i))
    print("ok")


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    port = int(args[0])
    if cmd == "echo":
        serve(port, echo_conn)
    elif cmd == "sum":
        serve(port, sum_conn)
    elif cmd == "rr":
        serve(port, rr_conn)
    elif cmd == "udp-echo":
        udp_echo(port)
    elif cmd == "many":
        many(port, int(args[1]), int(args[2]))
    elif cmd == "halfclose":
        halfclose(port)
    elif cmd == "reset":
        reset(port)
    elif cmd == "refused":
        refused(port)
    elif cmd == "hold":
        hold(port, int(args[1]), int(args[2]), int(args[3]))
    elif cmd == "maxconn":
        maxconn(port, int(args[1]))
    elif cmd == "slow":
        slow(port)
    elif cmd == "udp":
        udp(port)
    elif cmd == "late":
        late(port)
    elif cmd == "once":
        echo_ok(connect(port), "the connection")
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main()
