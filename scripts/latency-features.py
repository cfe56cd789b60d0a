#!/usr/bin/python3
"""Could features the model does not have predict which reads are slow?

Usage: latency-features.py LOG_PREFIX [--threshold-ms MS] [--reader N]

LOG_PREFIX names fio's per-I/O latency logs from qemu/bench/latlog.sh
(LOG_PREFIX_lat.<job>.log: completion ms, total latency ns, direction,
bytes, offset). Job --reader (default 1) is the latency-sensitive reader;
every job's I/O counts as context. For each read, at its issue time
(completion - latency): the bytes written and the reads issued in the last
25/50/100/200 ms, the reads and writes in flight, the time since a write
completed and the latency of the read completed last. The label is "total
latency > threshold". A logistic fit on the first 70 % of the reads, in
time order, is scored on the last 30 % against the majority class, with
all features and each one alone. Millisecond log stamps make in-flight
counts approximate; this is a feasibility check, not a model.
"""
import argparse
import glob

import numpy as np

WINDOWS_MS = (25, 50, 100, 200)


def load(path):
    """Issue ms, completion ms, latency ms, direction, bytes per I/O."""
    a = np.loadtxt(path, delimiter=",", usecols=(0, 1, 2, 3), ndmin=2)
    lat = a[:, 1] / 1e6
    return a[:, 0] - lat, a[:, 0], lat, a[:, 2], a[:, 3]


def in_window(sorted_times, lo, hi):
    return np.searchsorted(sorted_times, hi) - np.searchsorted(sorted_times, lo)


def features(ios, reader):
    """Feature matrix, names and issue-ordered latencies of the reader's reads."""
    issue = np.concatenate([i[0] for i in ios])
    done = np.concatenate([i[1] for i in ios])
    lat = np.concatenate([i[2] for i in ios])
    write = np.concatenate([i[3] for i in ios]) == 1
    size = np.concatenate([i[4] for i in ios])

    r_issue, r_done, r_lat, r_dir, _ = reader
    keep = r_dir == 0
    order = np.argsort(r_issue[keep])
    t = r_issue[keep][order]
    y_lat = r_lat[keep][order]

    w_order = np.argsort(issue[write])
    w_issue = issue[write][w_order]
    w_bytes = np.concatenate([[0], np.cumsum(size[write][w_order])])
    w_done = np.sort(done[write])
    rd_issue = np.sort(issue[~write])
    rd_done_order = np.argsort(done[~write])
    rd_done = done[~write][rd_done_order]
    rd_lat = lat[~write][rd_done_order]

    cols, names = [], []
    for w in WINDOWS_MS:
        hi = np.searchsorted(w_issue, t)
        lo = np.searchsorted(w_issue, t - w)
        cols.append(np.log2(1 + (w_bytes[hi] - w_bytes[lo]) / 1024))
        names.append(f"KiB written, last {w} ms")
        cols.append(np.log2(1 + in_window(rd_issue, t - w, t)))
        names.append(f"reads issued, last {w} ms")
    cols.append(np.searchsorted(w_issue, t) - np.searchsorted(w_done, t))
    names.append("writes in flight")
    cols.append(np.searchsorted(rd_issue, t) - np.searchsorted(rd_done, t))
    names.append("reads in flight")
    k = np.searchsorted(w_done, t) - 1
    cols.append(np.log2(1 + np.where(k >= 0, t - w_done[np.maximum(k, 0)], 1e4)))
    names.append("ms since a write completed")
    k = np.searchsorted(rd_done, t) - 1
    cols.append(np.log2(1e-3 + np.where(k >= 0, rd_lat[np.maximum(k, 0)], 1)))
    names.append("last completed read's latency")
    return np.array(cols, dtype=float).T, names, y_lat


def fit_logistic(x, y, steps=2000, rate=0.5):
    w = np.zeros(x.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-(x @ w)))
        w -= rate * x.T @ (p - y) / len(y)
    return w


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefix")
    ap.add_argument("--threshold-ms", type=float, default=2.0)
    ap.add_argument("--reader", type=int, default=1)
    args = ap.parse_args()

    paths = sorted(glob.glob(f"{args.prefix}_lat.*.log"))
    if not paths:
        raise SystemExit(f"no logs {args.prefix}_lat.*.log")
    ios = [load(p) for p in paths]
    reader = f"{args.prefix}_lat.{args.reader}.log"
    if reader not in paths:
        raise SystemExit(f"no reader log {reader}")
    x, names, lat = features(ios, load(reader))
    y = (lat > args.threshold_ms).astype(float)
    cut = int(0.7 * len(y))
    if cut < 100 or len(y) - cut < 100:
        raise SystemExit(f"only {len(y)} reads: too few to split")
    mu, sd = x[:cut].mean(0), x[:cut].std(0) + 1e-9
    x = np.hstack([(x - mu) / sd, np.ones((len(y), 1))])

    def score(cols):
        w = fit_logistic(x[:cut][:, cols], y[:cut])
        return ((x[cut:][:, cols] @ w > 0) == (y[cut:] > 0)).mean()

    test = y[cut:]
    majority = max(test.mean(), 1 - test.mean())
    bias = x.shape[1] - 1
    print(f"{args.prefix}: {len(y)} reads, {100 * y.mean():.1f} % over "
          f"{args.threshold_ms:g} ms; held-out accuracy (last 30 %):")
    print(f"  majority class                  {100 * majority:5.1f} %")
    print(f"  logistic, all features          {100 * score(list(range(x.shape[1]))):5.1f} %")
    for i, name in enumerate(names):
        print(f"  {name:31s} {100 * score([i, bias]):5.1f} %")


if __name__ == "__main__":
    main()
