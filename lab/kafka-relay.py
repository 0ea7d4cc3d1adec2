#!/usr/bin/env python3
"""Makes a Kafka broker on the root namespace's loopback reachable from inside a lab namespace.

  kafka-relay.py NETNS 127.0.0.1:PORT

Listens on 127.0.0.1:PORT inside network namespace NETNS (/run/netns/NETNS) and relays every
connection to 127.0.0.1:PORT of the namespace this process was started in. The broker advertises
127.0.0.1:PORT, so a client inside NETNS bootstraps and reconnects to the same address as a client
outside, and the lab gets no extra interface, address or route: what the probes capture on is
exactly what the lab built. One process holds a socket in each namespace (setns(2) on this thread
only while the listener is created). Prints "relay ready" once listening. SIGTERM closes the
listener but lets open connections finish (up to 15 s), so a probe stopping at the same moment can
still commit its last transaction.
"""
import ctypes
import os
import signal
import socket
import sys
import threading
import time

CLONE_NEWNET = 0x40000000
DRAIN_SECONDS = 15


def setns(fd):
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns: {os.strerror(err)}")


def listen_in(netns, host, port):
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{netns}", os.O_RDONLY)
    try:
        setns(target)
        try:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host, port))
            s.listen(64)
        finally:
            setns(home)  # every socket created from here on lives in the home namespace
    finally:
        os.close(target)
        os.close(home)
    return s


def pump(src, dst, open_conns):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        open_conns.discard(src)


def main():
    if len(sys.argv) != 3 or ":" not in sys.argv[2]:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        sys.exit(2)
    netns = sys.argv[1]
    host, port = sys.argv[2].rsplit(":", 1)
    listener = listen_in(netns, host, int(port))
    open_conns = set()
    stopping = threading.Event()

    def on_term(_sig, _frame):
        stopping.set()
        try:
            listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    print(f"relay ready: {netns} 127.0.0.1:{port} -> {host}:{port}", flush=True)
    while not stopping.is_set():
        try:
            inner, _ = listener.accept()
        except OSError:
            break
        try:
            outer = socket.create_connection((host, int(port)), timeout=10)
            outer.settimeout(None)
        except OSError as e:
            print(f"relay: cannot reach {host}:{port}: {e}", file=sys.stderr, flush=True)
            inner.close()
            continue
        for s in (inner, outer):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        open_conns.add(inner)
        threading.Thread(target=pump, args=(inner, outer, open_conns), daemon=True).start()
        threading.Thread(target=pump, args=(outer, inner, set()), daemon=True).start()
    listener.close()
    deadline = time.monotonic() + DRAIN_SECONDS
    while open_conns and time.monotonic() < deadline:
        time.sleep(0.1)


if __name__ == "__main__":
    main()
