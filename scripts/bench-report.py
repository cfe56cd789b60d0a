#!/usr/bin/python3
"""Summarize A/B runs of qemu/bench/ab.sh: a table, summary.json and plots.

Usage: bench-report.py RESULTS_DIR [--deadline-ms MS] [--baseline SCHED]

RESULTS_DIR holds one folder per workload, each with <sched>-<repeat>.json
(fio json+). Per workload and scheduler: read latency (total: submission +
completion, when the job file asks for lat_percentiles) mean/p50/p99/p99.9
(mean of the repeats, and the stddev of p99 across them), the share of reads
slower than the deadline, read IOPS (and its stddev across repeats, in %)
and write MB/s. Ratios against the baseline scheduler are paired: in each
repeat, this scheduler's figure over the baseline's from the same repeat of
the same boot; the table shows the median of those ratios, which cancels
the slow drifts of a shared host that a ratio of means keeps. When a
workload has several jobs, each job's own p50/p99 and MB/s follow (summary:
"jobs"): pooled reads hide which reader waits.
"""
import argparse
import glob
import json
import math
import os
import re
import statistics
import sys

PCTS = {"p50": 0.50, "p99": 0.99, "p99.9": 0.999}
# ab.sh's short names for the kml-deadline variants.
NAMES = {"kml0": "kml (model off)", "kml1": "kml-deadline", "kmlt": "kml (trained)"}


def percentile(bins, q):
    """From fio's latency histogram (json+ bins, ~1.5 % wide), pooled."""
    total = sum(bins.values())
    acc = 0
    for ns in sorted(bins):
        acc += bins[ns]
        if acc >= q * total:
            return ns
    return 0


def latency(r):
    """Total latency (lat_percentiles=1 in the job files): with no scheduler
    a request may wait for a driver tag inside io_submit, which completion
    latency (clat) does not count. Older results carry clat only."""
    return r["lat_ns"] if "bins" in r["lat_ns"] else r["clat_ns"]


def job_stats(path, deadline_ns):
    """Read side of every job, pooled; write MB/s of every job, summed."""
    with open(path) as f:
        data = json.load(f)
    rd = {"ios": 0, "over": 0, "bins": {}, "iops": 0.0, "mean_ns": 0.0}
    wr_mbs = 0.0
    jobs = {}
    cpu = sum(j["usr_cpu"] + j["sys_cpu"] for j in data["jobs"])
    for job in data["jobs"]:
        r, w = job["read"], job["write"]
        wr_mbs += w["bw_bytes"] / 1e6
        for d in ("read", "write"):
            if job[d]["total_ios"]:
                jobs[f"{job['jobname']} {d}s"] = per_job(job[d])
        if r["total_ios"] == 0:
            continue
        lat = latency(r)
        rd["iops"] += r["iops"]
        rd["mean_ns"] += lat["mean"] * r["total_ios"]
        rd["ios"] += r["total_ios"]
        for ns, count in lat.get("bins", {}).items():
            rd["bins"][int(ns)] = rd["bins"].get(int(ns), 0) + count
            if int(ns) > deadline_ns:
                rd["over"] += count
    if rd["ios"]:
        rd["mean_ns"] /= rd["ios"]
    return {
        "read_mean_ms": rd["mean_ns"] / 1e6,
        **{k + "_ms": percentile(rd["bins"], q) / 1e6 for k, q in PCTS.items()},
        "read_over_deadline": rd["over"] / rd["ios"] if rd["ios"] else 0.0,
        "read_iops": rd["iops"],
        "write_mbs": wr_mbs,
        "cpu_pct": cpu,
        "bins": rd["bins"],
        "jobs": jobs,
    }


def per_job(r):
    """One job's one direction: its own latency percentiles and MB/s."""
    lat = latency(r)
    bins = {int(ns): n for ns, n in lat.get("bins", {}).items()}
    return {"p50_ms": percentile(bins, 0.50) / 1e6,
            "p99_ms": percentile(bins, 0.99) / 1e6,
            "mbs": r["bw_bytes"] / 1e6,
            "bins": bins}


def stdev(xs):
    return statistics.stdev(xs) if len(xs) > 1 else 0.0


def summarize(runs):
    """runs: {repeat: job_stats}."""
    runs = list(runs.values())
    keys = [k for k in runs[0] if k not in ("bins", "jobs")]
    out = {k: statistics.mean(r[k] for r in runs) for k in keys}
    # Per job (fio's job name and direction), mean of the repeats.
    out["jobs"] = {j: {k: statistics.mean(r["jobs"][j][k] for r in runs
                                          if j in r["jobs"])
                       for k in stats if k != "bins"}
                   for j, stats in runs[0]["jobs"].items()}
    out["p99_ms_stddev"] = stdev([r["p99_ms"] for r in runs])
    out["read_iops_stddev"] = stdev([r["read_iops"] for r in runs])
    out["repeats"] = len(runs)
    return out


def paired_ratio(runs, base, key):
    """Median over repeats of runs[r][key] / base[r][key]; nan if none."""
    ratios = [runs[r][key] / base[r][key] for r in runs
              if r in base and base[r][key]]
    return statistics.median(ratios) if ratios else math.nan


def load(results, deadline_ns):
    data = {}
    for wdir in sorted(glob.glob(os.path.join(results, "*/"))):
        workload = os.path.basename(os.path.dirname(wdir))
        per = {}
        for path in sorted(glob.glob(os.path.join(wdir, "*-[0-9]*.json"))):
            m = re.match(r"(.+)-(\d+)\.json$", os.path.basename(path))
            name = NAMES.get(m.group(1), m.group(1))
            per.setdefault(name, {})[int(m.group(2))] = job_stats(path, deadline_ns)
        if per:
            data[workload] = per
    return data


def plot_training(plt, results, workload):
    """Held-out accuracy of each kmld round while it trained (kmlt runs)."""
    rep = os.path.join(results, workload, "kmld-report.json")
    if not os.path.exists(rep):
        return None
    with open(rep) as f:
        hist = json.load(f).get("history") or []
    if not hist:
        return None
    t = [h["t_s"] for h in hist]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(t, [h["accuracy"] for h in hist], "o-", label="trained model (held-out)")
    ax.plot(t, [h["majority_accuracy"] for h in hist], "s--", label="majority class")
    running = [(x, h["running_model_accuracy"]) for x, h in zip(t, hist)
               if h.get("running_model_accuracy") is not None]
    if running:
        ax.plot(*zip(*running), "^:", label="model the kernel ran")
    for x, h in zip(t, hist):
        ax.annotate(f"{h['train_samples']}", (x, h["accuracy"]), textcoords="offset points",
                    xytext=(0, 6), ha="center", fontsize=7)
    ax.set_xlabel("seconds of training (labels: training samples)")
    ax.set_ylabel("accuracy of the miss/hit label")
    ax.set_title(f"{workload}: kmld accuracy during online training")
    ax.grid(True, alpha=0.3)
    ax.legend()
    path = os.path.join(results, f"{workload}-training.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def cdf(bin_sets):
    """Pooled histograms -> (latencies in ms, cumulative fractions)."""
    bins = {}
    for b in bin_sets:
        for ns, c in b.items():
            bins[ns] = bins.get(ns, 0) + c
    xs = sorted(bins)
    total = sum(bins.values()) or 1
    acc, ys = 0, []
    for x in xs:
        acc += bins[x]
        ys.append(acc / total)
    return [x / 1e6 for x in xs], ys


def plot_jobs(plt, per, results, workload):
    """A CDF per reading job, when there are several: which reader waits."""
    jobs = sorted({j for runs in per.values() for r in runs.values()
                   for j in r["jobs"] if j.endswith(" reads")})
    if len(jobs) < 2:
        return None
    fig, axes = plt.subplots(1, len(jobs), figsize=(5 * len(jobs), 4.2), sharey=True)
    for ax, job in zip(axes, jobs):
        for sched, runs in per.items():
            sets = [r["jobs"][job]["bins"] for r in runs.values() if job in r["jobs"]]
            if sets:
                ax.plot(*cdf(sets), label=sched)
        ax.set_xscale("log")
        ax.set_xlabel("latency (ms, log scale)")
        ax.set_title(f"{workload}: {job}")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("fraction of the job's requests")
    axes[0].legend(fontsize=8)
    path = os.path.join(results, f"{workload}-jobs-cdf.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def plot(data, results):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    paths = []
    for workload, per in data.items():
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for sched, runs in per.items():
            ax.plot(*cdf(r["bins"] for r in runs.values()), label=sched)
        ax.set_xscale("log")
        ax.set_xlabel("read latency (ms, log scale)")
        ax.set_ylabel("fraction of reads")
        ax.set_ylim(0.5, 1.001)
        ax.set_title(f"{workload}: read latency CDF (upper half)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        path = os.path.join(results, f"{workload}-cdf.png")
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        paths.append(path)

    for workload in data:
        for path in (plot_jobs(plt, data[workload], results, workload),
                     plot_training(plt, results, workload)):
            if path:
                paths.append(path)

    fig, ax = plt.subplots(figsize=(8, 4.5))
    workloads = list(data)
    scheds = sorted({s for per in data.values() for s in per})
    width = 0.8 / max(1, len(scheds))
    for i, sched in enumerate(scheds):
        xs, ys, es = [], [], []
        for j, w in enumerate(workloads):
            if sched in data[w]:
                s = summarize(data[w][sched])
                xs.append(j + i * width)
                ys.append(s["p99_ms"])
                es.append(s["p99_ms_stddev"])
        ax.bar(xs, ys, width, yerr=es, label=sched, capsize=3)
    ax.set_xticks([j + width * (len(scheds) - 1) / 2 for j in range(len(workloads))])
    ax.set_xticklabels(workloads)
    ax.set_ylabel("read p99 latency (ms)")
    ax.set_title("read p99 per workload (mean of repeats, ± stddev)")
    ax.legend()
    path = os.path.join(results, "p99.png")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    paths.append(path)
    return paths


def print_jobs(per_sched):
    """Each job on its own, when the workload has several: which one waits."""
    names = sorted({j for s in per_sched.values() for j in s["jobs"]})
    if len(names) < 2:
        return
    print("per job: p50 / p99 ms, MB/s")
    for sched, s in per_sched.items():
        cells = [f"{j} {s['jobs'][j]['p50_ms']:.1f} / {s['jobs'][j]['p99_ms']:.1f}"
                 f" ms, {s['jobs'][j]['mbs']:.1f} MB/s" for j in names if j in s["jobs"]]
        print(f"  {sched:<16}" + ";  ".join(cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results")
    ap.add_argument("--deadline-ms", type=float, default=10.0,
                    help="a read slower than this missed its deadline (default 10)")
    ap.add_argument("--baseline", default="mq-deadline")
    ap.add_argument("--no-plots", action="store_true")
    args = ap.parse_args()

    data = load(args.results, args.deadline_ms * 1e6)
    if not data:
        sys.exit(f"no results under {args.results}")
    summary = {}
    for workload, per in data.items():
        summary[workload] = {s: summarize(runs) for s, runs in per.items()}
        base = per.get(args.baseline)
        clock = os.path.join(args.results, workload, "clock")
        clock = open(clock).read().strip() if os.path.exists(clock) else "host clock"
        print(f"\n{workload} (reads over {args.deadline_ms:g} ms count as missed;"
              f" ratios vs {args.baseline} in the same boot; {clock})")
        print(f"{'scheduler':<16}{'n':>2} {'mean':>7} {'p50':>7} {'p99':>8} {'±':>6}"
              f" {'p99.9':>8} {'missed':>7} {'rIOPS':>7} {'±%':>4} {'wMB/s':>6} {'cpu%':>5}"
              f" {'p99×':>6} {'wMB×':>6} {'IOPS×':>6}")
        for sched, s in summary[workload].items():
            r99, rw, ri = (paired_ratio(per[sched], base or {}, k)
                           for k in ("p99_ms", "write_mbs", "read_iops"))
            s["p99_ratio"], s["write_ratio"], s["iops_ratio"] = r99, rw, ri
            iops_sd = 100 * s["read_iops_stddev"] / s["read_iops"] if s["read_iops"] else 0.0
            print(f"{sched:<16}{s['repeats']:>2} {s['read_mean_ms']:>7.2f} {s['p50_ms']:>7.2f}"
                  f" {s['p99_ms']:>8.2f} {s['p99_ms_stddev']:>6.2f} {s['p99.9_ms']:>8.2f}"
                  f" {100 * s['read_over_deadline']:>6.2f}% {s['read_iops']:>7.0f} {iops_sd:>4.0f}"
                  f" {s['write_mbs']:>6.1f} {s['cpu_pct']:>5.0f} {r99:>6.3f} {rw:>6.3f} {ri:>6.3f}")
        print_jobs(summary[workload])
        summary[workload]["clock"] = clock
        rep = os.path.join(args.results, workload, "kmld-report.json")
        if os.path.exists(rep):
            with open(rep) as f:
                k = json.load(f)
            summary[workload]["kmld"] = k
            print(f"kmld model (trained {k.get('train_samples')} samples, held-out "
                  f"{k.get('heldout_samples')}): accuracy {k.get('accuracy', 0):.3f} vs "
                  f"majority {k.get('majority_accuracy', 0):.3f}; MAE "
                  f"{k.get('mae_log2us', 0):.3f} log2 us vs mean predictor "
                  f"{k.get('mean_predictor_mae', 0):.3f}; built-in model accuracy "
                  f"{k.get('running_model_accuracy', 0):.3f}")
    with open(os.path.join(args.results, "summary.json"), "w") as f:
        json.dump(summary, f, indent=2, allow_nan=True)
    print(f"\nsummary: {os.path.join(args.results, 'summary.json')}")
    if not args.no_plots:
        for p in plot(data, args.results):
            print(f"plot: {p}")


if __name__ == "__main__":
    main()
