#!/usr/bin/python3
"""make bench: the generated trainers against PyTorch, side by side in one run,
on the same thread counts (see docs/benchmarks.md).
Prints the results and writes them as a markdown table, headed by the date, the
CPU and its vector extensions, to BUILD_DIR/bench/results.md; with --docs FILE
(make bench WRITE_DOCS=1) also between FILE's lines <!-- bench:begin --> and
<!-- bench:end -->.
usage: bench.py BUILD_DIR "CC FLAGS" [--profile] [--quick] [--docs FILE]"""
import datetime
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..", "..")
MACS = {}  # model -> forward MACs per image, from the generator's summary


def macs_of(spec):
    if spec not in MACS:
        out = subprocess.run(["lua5.4", "generator/main.lua", "specs/%s.lua" % spec, "--summary"], cwd=ROOT,
                             check=True, capture_output=True, text=True).stdout
        line = [l for l in out.splitlines() if l.startswith("Total MACs")][0]
        MACS[spec] = int(line.split(":")[1].replace(",", ""))
    return MACS[spec]


def parse(out):
    fields = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] == "seconds":
            fields["median"], fields["min"], fields["max"] = map(float, parts[1:4])
            if len(parts) > 5:
                fields["rss"] = float(parts[5])
    return fields


# Ours and PyTorch take turns this many times per case: on a shared 2-core VM one round's
# ratio can differ from the next by a factor of two (fmnist_cnn, batch 64), which three
# rounds do not average out.
ROUNDS = 5

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def cpu_description():
    """The CPU's model name, its logical CPUs, and which of the vector extensions that matter
    here it has (AVX2, AVX-512, AMX), from /proc/cpuinfo (lscpu where that has no model name)."""
    model, family, number, flags = "", "", "", set()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, value = line.partition(":")
                key, value = key.strip(), value.strip()
                if key == "model name" and not model:
                    model = value
                elif key == "cpu family" and not family:
                    family = value
                elif key == "model" and not number:
                    number = value
                elif key == "flags" and not flags:
                    flags = set(value.split())
    except OSError:
        pass
    if not model:
        try:
            out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
            model = next((l.split(":", 1)[1].strip() for l in out.splitlines() if l.startswith("Model name")), "")
        except OSError:
            pass
    name = model or "unknown CPU"
    if family and number:
        name += " (family %s, model %s)" % (family, number)
    have = []
    if "avx2" in flags:
        have.append("AVX2" + (" + FMA" if "fma" in flags else ""))
    avx512 = sorted(f[len("avx512"):].lstrip("_").upper() for f in flags if f.startswith("avx512"))
    if avx512:
        have.append("AVX-512 (" + ", ".join(avx512) + ")")
    amx = sorted(f[len("amx_"):].upper() for f in flags if f.startswith("amx_"))
    if amx:
        have.append("AMX (" + ", ".join(amx) + ")")
    missing = [n for n, f in (("AVX-512", avx512), ("AMX", amx)) if not f]
    extensions = ", ".join(have) if have else "no AVX2"
    if missing:
        extensions += "; no " + ", no ".join(missing)
    return name, os.cpu_count() or 0, extensions


def markdown(results, quick, profile):
    """The run as markdown: a heading with the date and the CPU, then the tables."""
    name, cpus, extensions = cpu_description()
    md = ["### %s, %s, %d logical CPUs, %s" % (results["date"], name, cpus, extensions), ""]
    md.append("`make bench%s%s`: %d rounds per case, ours and PyTorch in turn%s. OpenBLAS sgemm 2048x2048x2048 "
              "(%s kernels): %.1f GFLOP/s on 1 thread, %.1f on 2 (the ceiling of `ceil%%`). %s" % (
                  " QUICK=1" if quick else "", " PROFILE=1" if profile else "", ROUNDS,
                  " (fewer repeated steps)" if quick else "", results["kernels"], results["ceiling"][1],
                  results["ceiling"][2], results["torch"]))
    md[-1] += (" Load average (1 min) %.1f at the start, %.1f at the end: other processes on the machine slow "
               "both sides, the 2-thread rows most." % tuple(results["load"]))
    md.append("")
    md.append("| model | step | batch | threads | ours img/s | spread | GFLOP/s | ceil% | PyTorch img/s | spread | "
              "ratio | best | peak RSS ours / PyTorch | steal |")
    md.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |")
    for r in results["rows"]:
        md.append("| %s |" % " | ".join(r))
    md.append("")
    md.append("| also measured | |")
    md.append("| --- | --- |")
    for what, value in results["other"]:
        md.append("| %s | %s |" % (what, value))
    for title, rows in results["profiles"]:
        md += ["", "%s:" % title, "", "| layer | op | direction | ms per step | share | GFLOP/s |",
               "| --- | --- | --- | ---: | ---: | ---: |"]
        md += ["| %s |" % " | ".join(r) for r in rows[:-1]]
        md += ["", rows[-1][0]]
    return "\n".join(md) + "\n"


def write_results(build, text, docs):
    path = os.path.join(build, "bench", "results.md")
    with open(path, "w") as f:
        f.write(text)
    print("\nthe table: %s" % path)
    if docs:
        with open(docs) as f:
            old = f.read()
        if old.count(BEGIN) != 1 or old.count(END) != 1 or old.index(BEGIN) > old.index(END):
            sys.exit("%s: needs one line %s and, after it, one line %s" % (docs, BEGIN, END))
        head, rest = old.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        with open(docs + ".tmp", "w") as f:
            f.write(head + BEGIN + "\n" + text + END + tail)
        os.replace(docs + ".tmp", docs)
        print("written into %s" % docs)


def cpu_times():
    """The machine's (steal, total) CPU time from /proc/stat, or None off Linux: time the
    hypervisor gave to other guests, which slows both sides of a case unevenly."""
    try:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def combine(rounds):
    """The median of the rounds' medians, their extremes, the largest RSS."""
    medians = sorted(r["median"] for r in rounds)
    return {"median": medians[len(medians) // 2], "min": min(r["min"] for r in rounds),
            "max": max(r["max"] for r in rounds), "rss": max(r.get("rss", 0.0) for r in rounds)}


def ours(build, model, mode, batch, threads, warmup, repeats):
    out = subprocess.run([os.path.join(build, "bench", "bench_" + model), mode, str(batch), str(threads), str(warmup),
                          str(repeats)], check=True, capture_output=True, text=True).stdout
    return parse(out), out


def theirs(model, mode, batch, threads, warmup, repeats):
    r = subprocess.run([sys.executable, os.path.join(HERE, "torch_bench.py"), model, mode, str(batch), str(threads),
                        str(warmup), str(repeats)], capture_output=True, text=True)
    if r.returncode == 77:
        return None
    if r.returncode != 0:
        sys.exit("torch_bench.py failed:\n" + r.stderr)
    return parse(r.stdout)


def sgemm(build, threads):
    """GFLOP/s and OpenBLAS's kernel set."""
    r = subprocess.run([os.path.join(build, "bench", "sgemm"), "2048", str(threads), "10"], capture_output=True,
                       text=True)
    if r.returncode != 0:
        sys.exit(r.stderr.strip() or "sgemm failed")
    out = r.stdout.split()
    return float(out[1]), out[3]


def print_profile(build, model, batch, threads):
    """Prints the per-layer profile; returns its title and rows (the last one the total) for the table."""
    big = model == "resnet18"
    fields, out = ours(os.path.join(build, "bench", "profile"), model, "train", batch, threads, 1 if big else 20,
                       3 if big else 300)
    title = "%s training step, batch %d, %d thread%s, per layer (ms per step, GFLOP/s)" % (
        model, batch, threads, "s" if threads > 1 else "")
    print("\n" + title + ":")
    rows = [l.split(" ", 1)[1].split("|") for l in out.splitlines() if l.startswith("layer ")]
    total = sum(float(r[3]) for r in rows)
    table = []
    for path, desc, direction, ms, gf in sorted(rows, key=lambda r: -float(r[3]))[:25]:
        print("  %-28s %-28s %-8s %8.3f ms %5.1f%% %7.1f GFLOP/s" % (path, desc, direction, float(ms),
                                                                   100 * float(ms) / total, float(gf)))
        table.append(("`%s`" % path, desc, direction, "%.3f" % float(ms), "%.1f%%" % (100 * float(ms) / total),
                      "%.1f" % float(gf)))
    last = ("total in layers: %.3f ms (mean); the step's median: %.3f ms, the rest is the loss and the "
            "optimizer" % (total, 1e3 * fields["median"]))
    print("  " + last)
    table.append((last,))
    return title, table


def data_loading(build):
    """The trainer's img/s over an epoch of Fashion-MNIST read from .npy files and from a PNG folder, as a
    fraction of the bare training step's (batch 64, 2 threads); and the time to load and decode the files.
    Returns the figures as (what, value) pairs for the table."""
    data = os.path.join(build, "bench", "fashion")
    if not os.path.exists(os.path.join(data, "x_train.npy")):
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "..", "tools", "make_data.py"), "fashion", data],
                       check=True)
    step = combine([ours(build, "fmnist_cnn", "train", 64, 2, 5, 30)[0] for _ in range(ROUNDS)])
    bare = 64 / step["median"]
    print("\ndata loading, fmnist_cnn, batch 64, 2 threads: bare training step %.0f img/s" % bare)
    figures = [("fmnist_cnn training step, batch 64, 2 threads, no data loading", "%.0f img/s" % bare)]
    for label, fmt in (("x_train.npy ...", "npy"), ("PNG folder", "images")):
        t0 = time.perf_counter()
        out = subprocess.run([os.path.join(build, "fmnist_cnn", "train"), "--data", data, "--format", fmt, "--epochs",
                              "1", "--val-split", "0", "--threads", "2"], check=True, capture_output=True,
                             text=True).stdout
        total = time.perf_counter() - t0
        epoch = [l for l in out.splitlines() if l.startswith("epoch 1/1")][0]
        seconds, rate = (float(v) for v in epoch.split("|")[-1].replace("s,", "").split()[:2])
        print("  from %-16s %7.0f img/s in the epoch = %.2f of the bare step; %.1f s to load and check the files, "
              "%.1f s in all" % (label, rate, rate / bare, total - seconds, total))
        figures.append(("an epoch of Fashion-MNIST (60,000 images) from %s, same batch and threads" % (
            "`x_train.npy`, `y_train.npy`" if fmt == "npy" else "a folder of PNGs"),
            "%.0f img/s (%.2f of the bare step); %.1f s to load and check the files" % (
                rate, rate / bare, total - seconds)))
    return figures


def main():
    build, cc = sys.argv[1], sys.argv[2]
    profile, quick = "--profile" in sys.argv, "--quick" in sys.argv
    docs = sys.argv[sys.argv.index("--docs") + 1] if "--docs" in sys.argv else None
    if docs and not os.path.exists(docs):
        sys.exit("bench.py: --docs %s: no such file" % docs)
    results = {"date": datetime.date.today().isoformat(), "rows": [], "other": [], "profiles": [],
               "load": [os.getloadavg()[0]]}
    torch_ok = theirs("fmnist_cnn", "infer", 1, 1, 0, 1) is not None
    print("make bench: %d rounds, ours and PyTorch in turn, each a warm-up then repeated steps; the median of the "
          "rounds' medians; spread = (max - min) / median over all steps; ratio of the medians, and best = ratio of "
          "the fastest steps (the machine's interference only adds time); steal = the share of the CPU time that the "
          "hypervisor gave to other guests during the case (/proc/stat)" % ROUNDS)
    if not torch_ok:
        print("PyTorch: skipped (python3-torch is not installed; apt-get install python3-torch)")
        results["torch"] = "PyTorch: not installed, its columns empty."
    else:
        version = subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"],
                                 capture_output=True, text=True).stdout.strip()
        results["torch"] = "PyTorch %s, on the same threads." % version
    measured = {t: sgemm(build, t) for t in (1, 2)}
    ceiling = {t: g for t, (g, _) in measured.items()}
    kernels = measured[1][1]
    pin = ", OPENBLAS_CORETYPE=%s" % os.environ["OPENBLAS_CORETYPE"] if "OPENBLAS_CORETYPE" in os.environ else ""
    results["kernels"], results["ceiling"] = kernels + pin, ceiling
    print("OpenBLAS sgemm 2048x2048x2048 (%s kernels%s): %.1f GFLOP/s on 1 thread, %.1f on 2 (the ceiling below)" %
          (kernels, pin, ceiling[1], ceiling[2]))
    cases = [("resnet18", "train", 32), ("resnet18", "infer", 32), ("fmnist_cnn", "train", 1),
             ("fmnist_cnn", "train", 64), ("fmnist_cnn", "infer", 1), ("fmnist_cnn", "infer", 64)]
    header = "%-10s %-5s %5s %3s | %9s %7s %8s %6s | %9s %7s | %6s %6s" % (
        "model", "step", "batch", "thr", "ours img/s", "spread", "GFLOP/s", "ceil%", "torch img/s", "spread", "ratio",
        "best")
    print(header)
    print("-" * len(header))
    for model, mode, batch in cases:
        for threads in (1, 2):
            big = model == "resnet18"
            warmup, repeats = (1, 1 if quick else 5) if big else (5, 10 if quick else 30)
            # ours and PyTorch take turns, so that a slow spell of the machine hits both
            rounds_o, rounds_t = [], []
            before = cpu_times()
            for _ in range(ROUNDS):
                rounds_o.append(ours(build, model, mode, batch, threads, warmup, repeats)[0])
                if torch_ok:
                    rounds_t.append(theirs(model, mode, batch, threads, warmup, repeats))
            o, t = combine(rounds_o), combine(rounds_t) if torch_ok else None
            flops = 2.0 * macs_of(model) * batch * (3 if mode == "train" else 1)
            gflops = flops / o["median"] * 1e-9
            row = "%-10s %-5s %5d %3d | %9.1f %6.1f%% %8.1f %5.0f%% | " % (
                model, mode, batch, threads, batch / o["median"], 100 * (o["max"] - o["min"]) / o["median"], gflops,
                100 * gflops / ceiling[threads])
            cells = [model, mode, str(batch), str(threads), "%.1f" % (batch / o["median"]),
                     "%.1f%%" % (100 * (o["max"] - o["min"]) / o["median"]), "%.1f" % gflops,
                     "%.0f%%" % (100 * gflops / ceiling[threads])]
            if t:
                row += "%9.1f %6.1f%% | %5.2fx %5.2fx" % (batch / t["median"], 100 * (t["max"] - t["min"]) / t["median"],
                                                          t["median"] / o["median"], t["min"] / o["min"])
                cells += ["%.1f" % (batch / t["median"]), "%.1f%%" % (100 * (t["max"] - t["min"]) / t["median"]),
                          "%.2fx" % (t["median"] / o["median"]), "%.2fx" % (t["min"] / o["min"])]
            else:
                row += "%9s %7s | %6s %6s" % ("-", "-", "-", "-")
                cells += ["-"] * 4
            rss = "peak RSS %.0f MiB" % o["rss"]
            cells.append("%.0f MiB" % o["rss"] + (" / %.0f MiB" % t["rss"] if t else ""))
            if t:
                rss += ", torch %.0f MiB" % t["rss"]
            after = cpu_times()
            if before and after and after[1] > before[1]:
                rss += ", steal %.0f%%" % (100.0 * (after[0] - before[0]) / (after[1] - before[1]))
                cells.append("%.0f%%" % (100.0 * (after[0] - before[0]) / (after[1] - before[1])))
            else:
                cells.append("-")
            print(row + "   (" + rss + ")", flush=True)
            results["rows"].append(cells)
    t0 = time.perf_counter()
    subprocess.run(["lua5.4", "generator/main.lua", "specs/resnet50.lua", "--out", os.path.join(build, "bench", "gen50")],
                   cwd=ROOT, check=True)
    seconds = time.perf_counter() - t0
    print("generation of resnet50: %.2f s" % seconds)
    results["other"].append(("generating resnet50 (`generator/main.lua`)", "%.2f s" % seconds))
    t0 = time.perf_counter()
    jobs = [subprocess.Popen(cc.split() + ["-c", "generated/resnet18/%s.c" % f, "-o",
                                           os.path.join(build, "bench", f + ".o")], cwd=ROOT)
            for f in ("resnet18", "resnet18_main")]
    if any(j.wait() for j in jobs):
        sys.exit("compiling resnet18 failed")
    flags = " ".join(f for f in cc.split() if f.startswith("-O") or f.startswith("-march"))
    seconds = time.perf_counter() - t0
    print("compiling generated resnet18 (%s), 2 jobs: %.1f s" % (flags, seconds))
    results["other"].append(("compiling the generated resnet18 (`%s`, 2 jobs)" % flags, "%.1f s" % seconds))
    results["other"] += data_loading(build)
    if profile:
        for model, batch, threads in (("resnet18", 32, 2), ("fmnist_cnn", 1, 1), ("fmnist_cnn", 64, 2)):
            results["profiles"].append(print_profile(build, model, batch, threads))
    results["load"].append(os.getloadavg()[0])
    write_results(build, markdown(results, quick, profile), docs)


if __name__ == "__main__":
    main()
