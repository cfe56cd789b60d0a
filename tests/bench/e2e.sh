#!/bin/bash
# The evaluation pipeline end to end, small: scripts/bench.sh boots a kernel,
# kmld trains on the mixed workload (samples, online rounds, push), the
# trained model runs beside mq-deadline, and bench-report.py writes the
# table, summary.json and plots. Asserts that every stage produced its
# output and that the model changed decisions; asserts nothing about speed.
# Usage: tests/bench/e2e.sh SERIES
set -euo pipefail
series=${1:?usage: e2e.sh SERIES}
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$root/scripts/bench.sh" -k "$series" -w mixed -s "mq-deadline kmlt" -t 3 -n 1 -T 9 -o "$out"
/usr/bin/python3 - "$out" <<'PY'
import json, os, sys

out = sys.argv[1]
problems = []
def check(ok, what):
    print(("ok: " if ok else "FAIL: ") + what)
    if not ok:
        problems.append(what)

s = json.load(open(os.path.join(out, "summary.json")))["mixed"]
for sched in ("mq-deadline", "kml (trained)"):
    check(sched in s and s[sched]["read_iops"] > 0, f"{sched}: reads measured")
    jobs = s.get(sched, {}).get("jobs", {})
    check(jobs.get("reader reads", {}).get("p99_ms", 0) > 0 and
          jobs.get("writer writes", {}).get("mbs", 0) > 0, f"{sched}: per-job figures")
k = s.get("kmld", {})
check(k.get("samples", 0) > 1000, f"kmld read samples ({k.get('samples')})")
check(k.get("pushed") is True, "kmld pushed its model")
hist = k.get("history", [])
check(len(hist) >= 2, f"online rounds recorded ({len(hist)})")
check(all(0 <= h["accuracy"] <= 1 for h in hist), "accuracies are accuracies")
stats = dict(l.split() for l in open(os.path.join(out, "mixed", "kmlt-1.stats")) if len(l.split()) == 2)
check(int(stats.get("decisions", 0)) > 0, f"trained model made decisions ({stats.get('decisions')})")
check(int(stats.get("model_changed", 0)) > 0, f"and changed some ({stats.get('model_changed')})")
for png in ("mixed-cdf.png", "mixed-training.png", "p99.png"):
    check(os.path.getsize(os.path.join(out, png)) > 1000, f"plot {png}")
sys.exit(1 if problems else 0)
PY
