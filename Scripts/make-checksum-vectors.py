#!/usr/bin/env python3
"""Writes Tests/ChecksumsTests/Vectors/fingerprint64.txt from an independent FarmHash.

Run with a Python that has PyPI `pyfarmhash` (0.5.1 was used):
    python3 -m venv /tmp/v && /tmp/v/bin/pip install pyfarmhash==0.5.1
    /tmp/v/bin/python Scripts/make-checksum-vectors.py

Input for length n is bytes (i * 7 + n) & 0xff for i in 0..n-1, which walks every length class of
farmhashna (0-3, 4-7, 8-16, 17-32, 33-64, the 64-byte loop and its overlapping tail).
"""
import pathlib

import farmhash

lengths = list(range(0, 300)) + [511, 1000, 4096, 65537]
out = pathlib.Path(__file__).resolve().parent.parent / "Tests/ChecksumsTests/Vectors/fingerprint64.txt"
with out.open("w") as f:
    f.write("# length fingerprint64 — input byte i is (i*7 + length) & 0xff; from pyfarmhash 0.5.1\n")
    for n in lengths:
        data = bytes(((i * 7 + n) & 0xFF) for i in range(n))
        f.write(f"{n} {farmhash.fingerprint64(data)}\n")
print(f"wrote {out}")
