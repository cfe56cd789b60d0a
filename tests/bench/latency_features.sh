#!/bin/sh
# scripts/latency-features.py on synthetic fio logs where a read is slow
# exactly when a write is in flight at its issue: the fit must find it
# (and "writes in flight" alone), and missing logs must be an error.
set -eu
here=$(dirname "$0")
script=$here/../../scripts/latency-features.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

/usr/bin/python3 - "$tmp/syn" <<'PY'
import random, sys
random.seed(7)
writes, reads = [], []
t = 0.0
while t < 20000:			# a 3 ms write every 4-12 ms
    writes.append((t, 3.0))
    t += random.uniform(4, 12)
busy = lambda s: any(w <= s < w + d for w, d in writes[max(0, int(s / 8) - 4):int(s / 4) + 2])
t = 0.0
while t < 20000:
    lat = 5.0 if busy(t) else 0.5
    reads.append((t, lat))
    t += random.uniform(0.5, 1.5)
with open(sys.argv[1] + "_lat.1.log", "w") as f:
    for s, lat in reads:
        f.write(f"{round(s + lat)}, {int(lat * 1e6)}, 0, 4096, 0, 0\n")
with open(sys.argv[1] + "_lat.2.log", "w") as f:
    for s, d in writes:
        f.write(f"{round(s + d)}, {int(d * 1e6)}, 1, 131072, 0, 0\n")
PY
out=$(/usr/bin/python3 "$script" "$tmp/syn")
echo "$out"
pct() { echo "$out" | sed -n "s/^  $1  *\([0-9.]*\) %$/\1/p"; }
majority=$(pct "majority class")
all=$(pct "logistic, all features")
alone=$(pct "writes in flight")
awk -v m="$majority" -v a="$all" -v w="$alone" 'BEGIN {
	if (m == "" || a == "" || w == "") { print "FAIL: figures missing"; exit 1 }
	if (a < m + 10) { print "FAIL: all features " a " % vs majority " m " %"; exit 1 }
	if (w < m + 10) { print "FAIL: writes in flight " w " % vs majority " m " %"; exit 1 }
	print "ok: the fit finds the in-flight write (" a " %, alone " w " %, majority " m " %)"
}'
if /usr/bin/python3 "$script" "$tmp/none" 2>"$tmp/err"; then
	echo "FAIL: missing logs accepted"; exit 1
fi
grep -q "no logs" "$tmp/err" && echo "ok: missing logs: $(cat "$tmp/err")"
