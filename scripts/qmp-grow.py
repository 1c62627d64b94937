#!/usr/bin/env python3
"""Grow QEMU's virtio-mem device vm0 by SIZE over QMP, or set its size.

Usage: qmp-grow.py SOCKET SIZE        grow by SIZE (bytes, or K/M/G suffix)
       qmp-grow.py SOCKET --to SIZE   request exactly SIZE (0 unplugs all)
       qmp-grow.py SOCKET --cycle N SIZE
                                      N times: grow by SIZE, wait until the
                                      guest plugged it, shrink back, wait
                                      until it unplugged it (60 s each)
"""
import json
import socket
import sys
import time


def size_bytes(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    if text[-1:].upper() in units:
        return int(text[:-1]) * units[text[-1].upper()]
    return int(text)


def command(sock, stream, name, **arguments):
    msg = {"execute": name}
    if arguments:
        msg["arguments"] = arguments
    sock.sendall(json.dumps(msg).encode() + b"\n")
    while True:
        reply = json.loads(stream.readline())
        if "return" in reply:
            return reply["return"]
        if "error" in reply:
            raise RuntimeError(f"{name}: {reply['error'].get('desc')}")


def vm0(sock, stream, prop, value=None):
    path = "/machine/peripheral/vm0"
    if value is None:
        return command(sock, stream, "qom-get", path=path, property=prop)
    return command(sock, stream, "qom-set", path=path, property=prop,
                   value=value)


def request_and_wait(sock, stream, want):
    """Request WANT bytes; True once the guest has plugged exactly that."""
    vm0(sock, stream, "requested-size", want)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if vm0(sock, stream, "size") == want:
            return True
        time.sleep(0.1)
    return False


def cycle(sock, stream, times, size):
    base = vm0(sock, stream, "requested-size")
    start = time.monotonic()
    short = 0
    for _ in range(times):
        if not request_and_wait(sock, stream, base + size):
            short += 1
        if not request_and_wait(sock, stream, base):
            short += 1
    print(f"qmp: {times} cycles of {size} bytes on virtio-mem vm0 in "
          f"{time.monotonic() - start:.0f} s, {short} steps not completed "
          f"within 60 s", file=sys.stderr)


def main():
    args = sys.argv[1:]
    absolute = len(args) == 3 and args[1] == "--to"
    cycles = len(args) == 4 and args[1] == "--cycle"
    if len(args) != 2 and not absolute and not cycles:
        sys.exit(__doc__)
    try:
        size = size_bytes(args[-1])
        times = int(args[2]) if cycles else 0
    except ValueError:
        sys.exit(f"qmp-grow.py: bad number or size in {args[1:]}\n{__doc__}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(args[0])
    stream = sock.makefile("r")
    json.loads(stream.readline())  # greeting
    command(sock, stream, "qmp_capabilities")
    if cycles:
        cycle(sock, stream, times, size)
        return
    now = command(sock, stream, "qom-get", path="/machine/peripheral/vm0",
                  property="requested-size")
    want = size if absolute else now + size
    command(sock, stream, "qom-set", path="/machine/peripheral/vm0",
            property="requested-size", value=want)
    print(f"qmp: virtio-mem vm0 requested-size {now} -> {want}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
