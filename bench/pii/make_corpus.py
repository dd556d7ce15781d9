#!/usr/bin/python3
"""Writes a deterministic mixed corpus for the PII benchmark: FILES files totalling MIB MiB of log lines, CSV rows and
prose, about 1 line in 20 with a (synthetic) PII value, the rest with look-alikes (UUIDs, hashes, timestamps, order
numbers, versions). Usage: make_corpus.py OUT_DIR MIB FILES"""
import os, random, sys

out, mib, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rng = random.Random(42)
os.makedirs(out, exist_ok=True)

def luhn_card():
    body = '4' + ''.join(rng.choice('0123456789') for _ in range(14))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch) * (2 if i % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)

def hexs(n):
    return ''.join(rng.choice('0123456789abcdef') for _ in range(n))

pii = [lambda: 'user email li.wei%d@corp-mail.cn logged in' % rng.randrange(10**6),
       lambda: 'card number %s charged' % luhn_card(),
       lambda: '身份证号码：11010519491231002X 已验证',
       lambda: 'client ip 203.0.113.%d connected' % rng.randrange(256),
       lambda: 'SSN 536-22-%04d on file' % rng.randrange(1, 10000),
       lambda: 'tel +86 138 0013 %04d' % rng.randrange(10000)]
noise = [lambda: 'request %s-%s-%s-%s-%s completed in %d ms' % (hexs(8), hexs(4), hexs(4), hexs(4), hexs(12), rng.randrange(900)),
         lambda: '2024-05-%02dT%02d:%02d:%02dZ INFO worker %d processed batch %d' % (rng.randrange(1, 29), rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.randrange(64), rng.randrange(10**6)),
         lambda: 'commit %s version 2.%d.%d build %d' % (hexs(40), rng.randrange(20), rng.randrange(20), rng.randrange(10**5)),
         lambda: 'order %d shipped to warehouse %d, tracking 1Z%s' % (rng.randrange(10**14), rng.randrange(100), hexs(16).upper()),
         lambda: 'The quick brown fox jumps over the lazy dog while the service keeps running smoothly.',
         lambda: 'sha256 %s size %d bytes' % (hexs(64), rng.randrange(10**9))]
# Build a 4 MiB block once and repeat it with varying line order per file, so generation stays fast.
lines = []
size = 0
while size < 4 << 20:
    line = (rng.choice(pii) if rng.randrange(20) == 0 else rng.choice(noise))() + '\n'
    lines.append(line)
    size += len(line.encode())
block = ''.join(lines).encode()
per_file = (mib << 20) // files
for index in range(files):
    with open(os.path.join(out, 'part-%02d.log' % index), 'wb') as f:
        written = 0
        while written < per_file:
            chunk = block[: per_file - written]
            f.write(chunk)
            written += len(chunk)
