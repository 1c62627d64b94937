#!/usr/bin/env python3
"""Grow QEMU's virtio-mem device vm0 by SIZE over QMP, or set its size.

Usage: qmp-grow.py SOCKET SIZE        grow by SIZE (bytes, or K/M/G suffix)
       qmp-grow.py SOCKET --to SIZE   request exactly SIZE (0 unplugs all)
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
    args = sys.argv[1:]
    absolute = len(args) == 3 and args[1] == "--to"
    if len(args) != 2 and not absolute:
        sys.exit(__doc__)
    try:
        size = size_bytes(args[-1])
    except ValueError:
        sys.exit(f"qmp-grow.py: bad size '{args[-1]}'\n{__doc__}")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(30)
    sock.connect(args[0])
    stream = sock.makefile("r")
    json.loads(stream.readline())  # greeting
    command(sock, stream, "qmp_capabilities")
    now = command(sock, stream, "qom-get", path="/machine/peripheral/vm0",
                  property="requested-size")
    want = size if absolute else now + size
    command(sock, stream, "qom-set", path="/machine/peripheral/vm0",
            property="requested-size", value=want)
    print(f"qmp: virtio-mem vm0 requested-size {now} -> {want}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
