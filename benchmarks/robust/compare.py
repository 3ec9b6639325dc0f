"""Joins RobustBenchmarks' TSV (--tsv) and ByzFL peer output (byzfl_peer.py) into the markdown tables
of benchmarks/RESULTS.md, section "Robust aggregation rules (T4)".
Usage: python3 benchmarks/robust/compare.py results-TAG.tsv byzfl-TAG.txt [byzfl-TAG-2threads.txt]
Ratio = ByzFL's faster backend (median) / Gradwire's faster thread setting (median).
With a third file (ByzFL run with --threads 2), it prints instead the status table of "Against the
issue's targets": per rule and size, Gradwire on 1 thread against ByzFL on 1 thread and Gradwire on 2
threads against ByzFL on 2 threads, each as median / median and (in brackets) min / min.
Targets (issue 5): rules linear in n·d within 1.5x of the memory-read ceiling (from run7 the C kernel's
AVX-512 sum, 1 thread, min, when the TSV has it; before, Swift's SIMD sum);
every other rule with a ByzFL counterpart at least 5x faster than the faster ByzFL path.
"""
import csv
import re
import sys


def load_ours(path):
    rows = list(csv.DictReader(open(path), delimiter="\t"))
    for r in rows:
        r["threads"] = int(r["threads"])
        r["min_ms"] = float(r["min_ms"])
        r["median_ms"] = float(r["median_ms"])
        r["n"], r["d"] = (int(v) for v in re.match(r"n=(\d+) d=(\d+)", r["size"]).groups())
    return rows


def load_peer(path):
    peer = {}
    pattern = re.compile(r"^(\S+)\s+n=(\d+)\s+d=(\d+)\s+f=(\d+)\s+(torch|numpy)\s+median_ms=\s*([\d.]+)\s+min_ms=\s*([\d.]+)")
    for line in open(path):
        m = pattern.match(line)
        if m:
            name, n, d, _, backend, med, mn = m.groups()
            key = (name, int(n), int(d))
            best = peer.get(key)
            if best is None or float(med) < best[1]:
                peer[key] = (backend, float(med), float(mn))
    return peer


def fmt(ms):
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 10 else f"{ms:.2f}"


def status(ours, peer1, peer2):
    sizes = []
    for r in ours:
        if (r["n"], r["d"]) not in sizes:
            sizes.append((r["n"], r["d"]))
    labels = []
    for r in ours:
        if not r["rule"].startswith("ceiling") and r["rule"] not in labels:
            labels.append(r["rule"])
    print("| rule | " + " | ".join(f"n = {n}, d = {d:,}" for n, d in sizes) + " | target |")
    print("|---|" + "---|" * len(sizes) + "---|")
    for label in labels:
        cells, linear, peered = [], False, False
        for n, d in sizes:
            rs = {r["threads"]: r for r in ours if r["rule"] == label and (r["n"], r["d"]) == (n, d)}
            if not rs:
                cells.append("–")
                continue
            one = rs[1]
            linear = one["linear"].lower() == "true"
            if linear:
                ceil = next(r for r in ours if (r["n"], r["d"]) == (n, d) and re.search(r"sum \(C\), 1 thread", r["rule"]))
                x = one["min_ms"] / ceil["min_ms"]
                cells.append(f"{fmt(one['median_ms'])} ms, {x:.2f}× ceiling" + ("" if x <= 1.5 else " **not met**"))
                continue
            parts = []
            for threads, peer in ((1, peer1), (2, peer2)):
                r = rs.get(threads, one)
                p = peer.get((one["peer"], n, d)) if one["peer"] != "-" else None
                if p is None:
                    parts.append(f"{threads} thr {fmt(r['median_ms'])} ms")
                    continue
                peered = True
                a, b = p[1] / r["median_ms"], p[2] / r["min_ms"]
                mark = "" if min(a, b) >= 5 else " **not met**"
                parts.append(f"{threads} thr {fmt(r['median_ms'])} ms: {a:.1f}× ({b:.1f}×){mark}")
            cells.append("; ".join(parts))
        target = "≤ 1.5× ceiling" if linear else ("≥ 5× ByzFL" if peered else "(no peer)")
        print(f"| {label} | " + " | ".join(cells) + f" | {target} |")


def main():
    ours, peer = load_ours(sys.argv[1]), load_peer(sys.argv[2])
    if len(sys.argv) > 3:
        status(ours, peer, load_peer(sys.argv[3]))
        return
    sizes = []
    for r in ours:
        if (r["n"], r["d"]) not in sizes:
            sizes.append((r["n"], r["d"]))
    for n, d in sizes:
        rows = [r for r in ours if (r["n"], r["d"]) == (n, d)]
        ceil = {r["rule"]: r for r in rows if r["rule"].startswith("ceiling")}
        c1 = ceil["ceiling: SIMD sum, 1 thread"]["min_ms"]
        vector = next((r for name, r in ceil.items() if re.search(r"sum \(C\), 1 thread", name)), None)
        judged = f"; {vector['rule'][len('ceiling: '):]} {fmt(vector['min_ms'])} ms (the ceiling of × ceiling)" if vector else ""
        print(f"\n**n = {n}, d = {d:,}, f = {n // 5}** ({n * d * 4 / 1e6:.0f} MB of Float32). Memory-read ceiling: "
              f"SIMD sum {fmt(c1)} ms (1 thread), {fmt(ceil['ceiling: SIMD sum, 2 threads']['min_ms'])} ms (2 threads); "
              f"plain scalar loop {fmt(ceil['ceiling: plain scalar sum loop']['min_ms'])} ms{judged}.\n")
        if vector:
            c1 = vector["min_ms"]
        print("| rule | 1 thread min / median ms | 2 threads min / median ms | × ceiling | ByzFL faster path, median ms | ByzFL / Gradwire | target | |")
        print("|---|---|---|---|---|---|---|---|")
        labels = []
        for r in rows:
            if not r["rule"].startswith("ceiling") and r["rule"] not in labels:
                labels.append(r["rule"])
        for label in labels:
            rs = {r["threads"]: r for r in rows if r["rule"] == label}
            one, two = rs.get(1), rs.get(2)
            best = min((x["median_ms"] for x in rs.values()))
            t1 = f"{fmt(one['min_ms'])} / {fmt(one['median_ms'])}" if one else "–"
            t2 = f"{fmt(two['min_ms'])} / {fmt(two['median_ms'])}" if two else "= 1 thread (no BLAS)"
            times_ceiling = min(x["min_ms"] for x in rs.values()) / c1
            p = peer.get((one["peer"], n, d)) if one and one["peer"] != "-" else None
            ptext = f"{fmt(p[1])} ({p[0]})" if p else "–"
            ratio = p[1] / best if p else None
            rtext = f"{ratio:.1f}×" if ratio else "–"
            if one["linear"].lower() == "true":
                target, met = "≤ 1.5× ceiling", times_ceiling <= 1.5
            elif p:
                target, met = "≥ 5× ByzFL", ratio >= 5
            else:
                target, met = "(no peer)", None
            mark = "met" if met else ("**not met**" if met is False else "")
            print(f"| {label} | {t1} | {t2} | {times_ceiling:.1f} | {ptext} | {rtext} | {target} | {mark} |")
    if len(sizes) >= 2:
        (n1, d1), (n2, d2) = sizes[0], sizes[1]
        print(f"\n**Scaling** (median, faster thread setting): n = {n1}, d = {d1:,} against n = {n2}, d = {d2:,}; "
              f"n·d grows {n1 * d1 / (n2 * d2):.2f}×, n²·d {n1 * n1 * d1 / (n2 * n2 * d2):.3f}×.\n")
        print(f"| rule | {n1}×{d1:,} ms | {n2}×{d2:,} ms | ratio | ByzFL ratio |")
        print("|---|---|---|---|---|")
        for label in [r["rule"] for r in ours if (r["n"], r["d"]) == (n1, d1) and r["threads"] == 1]:
            a = [r["median_ms"] for r in ours if r["rule"] == label and (r["n"], r["d"]) == (n1, d1)]
            b = [r["median_ms"] for r in ours if r["rule"] == label and (r["n"], r["d"]) == (n2, d2)]
            if not a or not b:
                continue
            name = next(r["peer"] for r in ours if r["rule"] == label)
            pa, pb = peer.get((name, n1, d1)), peer.get((name, n2, d2))
            pr = f"{pa[1] / pb[1]:.2f}" if pa and pb else "–"
            print(f"| {label} | {fmt(min(a))} | {fmt(min(b))} | {min(a) / min(b):.2f} | {pr} |")


if __name__ == "__main__":
    main()
