#!/usr/bin/env python3
"""Parse the CLI's --format csv|json output back (python's csv and json
modules) and compare it with the text it was made from: a `last`, a
`history`, an `events` or a `prediction` file of scripts/cli-fixture/, read
here independently of the CLI's awk.

Usage: cli-format-check.py csv|json last|history|events|prediction SOURCE OUTPUT
           [--list] [--copies N] [--key NAME=V1,V2,...]
  --list      the output is a list (a JSON array) even of one record
  --copies N  the output holds N records, each SOURCE's one record (compare
              and steps over a fake debugfs whose last never changes)
  --key NAME=V1,V2,...  each record starts with key NAME, V1 in the first
              (steps' step)
Exit status 0 when they agree, 1 with the differences, 2 on usage.
"""
import csv
import io
import json
import re
import sys

NUMBER = re.compile(r'^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$')


def last_records(text):
    rec = {}
    for line in text.splitlines():
        if not line:
            continue
        k, _, v = line.partition(':')
        rec[k] = v[1:] if v.startswith(' ') else v
    return [rec]


def kv_records(text, row):
    out = []
    for line in text.splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        words = line.split()
        rec = {}
        if row:
            if '=' in words[0]:
                rec['row'] = words[0].split('=', 1)[0]
            else:
                rec['row'] = words.pop(0)
        for w in words:
            k, _, v = w.partition('=')
            rec[k] = v
        out.append(rec)
    return out


def table_records(text):
    out = []
    head = None
    for line in text.splitlines():
        if not line.strip() or line.startswith('#'):
            continue
        f = line.split()
        if head is None:
            head = f
            continue
        n = len(head) - 1
        rec = {head[0]: ' '.join(f[:-n])}
        for k, v in zip(head[1:], f[-n:]):
            rec[k] = v[:-1] if v.endswith('%') else v
        out.append(rec)
    return out


def main(argv):
    if len(argv) < 4 or argv[0] not in ('csv', 'json') or \
            argv[1] not in ('last', 'history', 'events', 'prediction'):
        print(__doc__, file=sys.stderr)
        return 2
    fmt, kind, src, outf = argv[:4]
    opts = argv[4:]
    is_list = '--list' in opts
    copies = None
    key = None
    for i, o in enumerate(opts):
        if o == '--copies':
            copies = int(opts[i + 1])
        if o == '--key':
            key = opts[i + 1].split('=', 1)
            key = (key[0], key[1].split(','))
    with open(src, encoding='utf-8') as f:
        text = f.read()
    want = {'last': last_records,
            'history': lambda t: kv_records(t, False),
            'events': lambda t: kv_records(t, True),
            'prediction': table_records}[kind](text)
    if copies is not None:
        want = [dict(want[0]) for _ in range(copies)]
    if key:
        if len(key[1]) != len(want):
            print(f'--key has {len(key[1])} values for {len(want)} records',
                  file=sys.stderr)
            return 2
        want = [dict([(key[0], v)] + list(r.items()))
                for v, r in zip(key[1], want)]
    with open(outf, encoding='utf-8') as f:
        out = f.read()
    bad = []
    if fmt == 'json':
        try:
            got = json.loads(out)
        except ValueError as e:
            print(f'not JSON: {e}')
            return 1
        if not is_list and len(want) == 1:
            if not isinstance(got, dict):
                bad.append(f'want one object, got {type(got).__name__}')
            got = [got]
        elif not isinstance(got, list):
            bad.append(f'want an array, got {type(got).__name__}')
            got = [got]
        # numbers as numbers, the rest strings
        want = [{k: json.loads(v) if NUMBER.match(v) else v
                 for k, v in r.items()} for r in want]
        for r in got:
            for k, v in r.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    continue
                if not isinstance(v, str):
                    bad.append(f'{k}: {v!r} is neither a string nor a number')
    else:
        rows = list(csv.reader(io.StringIO(out, newline='')))
        keys = []
        for r in want:
            keys += [k for k in r if k not in keys]
        if not rows or rows[0] != keys:
            bad.append(f'header {rows[0] if rows else None}, want {keys}')
        got = [dict(zip(rows[0], r)) for r in rows[1:]] if rows else []
        for i, r in enumerate(rows[1:]):
            if len(r) != len(rows[0]):
                bad.append(f'row {i + 1}: {len(r)} fields, the header {len(rows[0])}')
        want = [{k: r.get(k, '') for k in keys} for r in want]
    if len(got) != len(want):
        bad.append(f'{len(got)} records, want {len(want)}')
    for i, (g, w) in enumerate(zip(got, want)):
        if list(g.items()) != list(w.items()):
            for k in sorted(set(g) | set(w)):
                if g.get(k, '<none>') != w.get(k, '<none>'):
                    bad.append(f'record {i + 1} {k}: got {g.get(k, "<none>")!r}, '
                               f'want {w.get(k, "<none>")!r}')
            if set(g) == set(w) and list(g) != list(w):
                bad.append(f'record {i + 1}: keys out of order')
    for b in bad[:20]:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
