#!/usr/bin/python3
"""Print one row per fio job: read latency percentiles and throughput.

Usage: fio-table.py FIO.json [LABEL]   (fio --output-format=json)
"""
import json
import sys


def job_rows(path, label):
    with open(path) as f:
        data = json.load(f)
    for job in data["jobs"]:
        for op in ("read", "write"):
            s = job[op]
            if s["io_bytes"] == 0:
                continue
            pct = s["clat_ns"].get("percentile", {})
            ms = lambda p: pct.get(p, 0) / 1e6  # noqa: E731
            yield (label, job["jobname"], op, s["iops"], s["bw"] / 1024,
                   ms("50.000000"), ms("99.000000"), ms("99.900000"))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    label = sys.argv[2] if len(sys.argv) > 2 else "-"
    head = ("sched", "job", "op", "IOPS", "MB/s", "p50 ms", "p99 ms", "p99.9 ms")
    print("%-12s %-8s %-5s %8s %8s %8s %8s %9s" % head)
    for r in job_rows(sys.argv[1], label):
        print("%-12s %-8s %-5s %8.0f %8.1f %8.2f %8.2f %9.2f" % r)


if __name__ == "__main__":
    main()
