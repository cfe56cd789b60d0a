#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0 OR MIT
"""Time the shapes of shapes.txt with NumPy (int32 data, like libkml's Q16).

Multi-axis repeat has no single NumPy call: it is np.repeat once per axis,
the usual idiom. Prints {"shape/op/shape/args": ns_per_call} as JSON.
"""
import json
import sys
import timeit

import numpy as np


def op_fn(op, a, args):
    if op in ("sum", "max", "mean"):
        axes = tuple(args)
        f = {"sum": np.sum, "max": np.max, "mean": np.mean}[op]
        return lambda: f(a, axis=axes)
    if op == "tile":
        return lambda: np.tile(a, args)

    def repeat():
        r = a
        for axis, n in enumerate(args):
            r = np.repeat(r, n, axis=axis)
        return r
    return repeat


def main(path):
    rng = np.random.default_rng(8)
    out = {}
    for line in open(path):
        if not line.strip() or line.startswith("#"):
            continue
        op, shape, args = line.split()
        dims = [int(d) for d in shape.split(",")]
        a = rng.integers(-(100 << 16), 100 << 16, size=dims, dtype=np.int32)
        fn = op_fn(op, a, [int(x) for x in args.split(",")])
        number, _ = timeit.Timer(fn).autorange()
        best = min(timeit.repeat(fn, number=number, repeat=5)) / number
        out[f"shape/{op}/{shape}/{args}"] = best * 1e9
    json.dump(out, sys.stdout, indent=1)


if __name__ == "__main__":
    main(sys.argv[1])
