#!/usr/bin/env python3
"""Grow QEMU's virtio-mem device vm0 by SIZE over QMP.

Usage: qmp-grow.py SOCKET SIZE   (SIZE in bytes, or with a K/M/G suffix)
"""
import json
import socket
import sys


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


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    grow = size_bytes(sys.argv[2])
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(sys.argv[1])
    stream = sock.makefile("r")
    json.loads(stream.readline())  # greeting
    command(sock, stream, "qmp_capabilities")
    now = command(sock, stream, "qom-get", path="/machine/peripheral/vm0",
                  property="requested-size")
    command(sock, stream, "qom-set", path="/machine/peripheral/vm0", property="requested-size",
            value=now + grow)
    print(f"qmp: virtio-mem vm0 requested-size {now} -> {now + grow}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
