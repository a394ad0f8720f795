#!/usr/bin/env python3
"""run-bench.py -- what `make bench` runs: libraypolicy against the npm CEL
engines and a hand-written C baseline on the benchmark workload, and the
cost of whole checks as the number of objects grows.

    python3 bench/run-bench.py --srcdir . --builddir . [--min-time MS]
        [--rounds R] [--iterations K] [--copies 1,10,100] [--timeout S]
        [--skip-js] [--skip-callgrind] [--skip-scaling]

In one run, on this machine:
  (a) rpeval bench --expressions bench/expressions.json --format json
      (compile and evaluation, each result checked first);
  (b) bench/baseline: the fifteen expressions written by hand in C;
  (c) bench/js/run.mjs: @marcbachmann/cel-js and @bufbuild/cel, installed
      with `npm ci` from bench/js/package-lock.json into BUILDDIR/bench-out/js
      (never into the sources), when node and npm are there;
      (a), (b) and (c) run in R interleaved rounds, and each figure is the
      median of the rounds' medians;
  (d) callgrind, when valgrind is there: instructions and heap allocations
      per evaluation, one run per expression of K evaluations inside
      bench_loop() (--toggle-collect=bench_loop), for ours and the baseline;
  (e) rpeval bench --pack ray-hardening --copies N tests/corpus/ray for each
      N of --copies: objects per second and ns per object as the corpus grows
      (each copy in namespaces of its own), each run bounded by --timeout.
Then prints one markdown table with a PASS/FAIL line per criterion of the
performance issue, and writes it to BUILDDIR/bench-out/results.md (and every
raw figure to results.json).  Python 3 standard library only.  Exit status
0 when everything ran (whatever the criteria say), 1 when a result check
failed, 2 on bad usage.
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import time

ALLOC_FUNCTIONS = {"malloc", "calloc", "realloc", "reallocarray", "aligned_alloc",
                   "posix_memalign", "memalign", "valloc"}


def log(msg):
    print(f"bench: {msg}", file=sys.stderr, flush=True)


def run_json(cmd, what, cwd=None, timeout=None):
    """Run CMD, parse its standard output as JSON; None (logged) on failure."""
    log(f"{what}: {' '.join(shlex.quote(c) for c in cmd)}")
    try:
        p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        log(f"{what}: did not finish within {timeout} s")
        return None
    except OSError as e:
        log(f"{what}: cannot run: {e}")
        return None
    try:
        out = json.loads(p.stdout)
    except ValueError:
        log(f"{what}: exit {p.returncode}, no JSON on standard output")
        return None
    if p.returncode != 0:
        log(f"{what}: exit {p.returncode}")
        out["exit_status"] = p.returncode
    return out


def callgrind_counts(path):
    """(instructions, heap allocation calls) collected in a callgrind file."""
    names = {}
    ir = None
    allocs = 0
    callee = None
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(("fn=", "cfn=")):
                m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line.rstrip("\n"))
                if m:
                    if m.group(2) is not None:
                        names[m.group(1)] = m.group(2)
                    if line.startswith("cfn="):
                        callee = re.sub(r"'\d+$", "", names.get(m.group(1), ""))
                continue
            if line.startswith("calls="):
                if callee in ALLOC_FUNCTIONS:
                    allocs += int(line.split()[0][6:])
                continue
            if line.startswith(("summary:", "totals:")):
                ir = int(line.split()[1])
    return ir, allocs


def callgrind(libtool, cmd, out_file, iterations, what):
    """Instructions and heap allocation calls per evaluation: CMD (a
    --callgrind-iterations run) under callgrind with K and with 2K
    evaluations in bench_loop(), the difference divided by K.  The
    difference, because callgrind counts calls (to malloc) even where it
    does not collect costs: the result check and the warm-up outside
    bench_loop() would be counted.  Through `libtool --mode=execute` when
    LIBTOOL is given (rpeval is a libtool wrapper script in an uninstalled
    build)."""
    counts = []
    for k in (iterations, 2 * iterations):
        f = f"{out_file}.{k}"
        full = (libtool + ["--mode=execute"] if libtool else []) + [
            "valgrind", "--tool=callgrind", "--toggle-collect=bench_loop",
            f"--callgrind-out-file={f}"] + cmd + ["--callgrind-iterations", str(k)]
        if os.path.exists(f):
            os.remove(f)
        p = subprocess.run(full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
        if p.returncode != 0 or not os.path.exists(f):
            log(f"{what}: callgrind run failed (exit {p.returncode}): "
                f"{p.stderr.decode(errors='replace')[-300:]}")
            return None
        ir, allocs = callgrind_counts(f)
        if ir is None:
            return None
        counts.append((ir, allocs))
    (ir1, a1), (ir2, a2) = counts
    return {"ir": (ir2 - ir1) / iterations, "allocs": (a2 - a1) / iterations}


def prepare_js(srcdir, outdir):
    """bench/js copied into OUTDIR/js and `npm ci` there; its path or None."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        log("node or npm not found: the JS engines are skipped")
        return None, "node or npm not found"
    ver = subprocess.run([node, "--version"], stdout=subprocess.PIPE, check=False)
    m = re.match(r"v(\d+)\.(\d+)", ver.stdout.decode())
    if not m or (int(m.group(1)), int(m.group(2))) < (20, 19):
        log(f"node {ver.stdout.decode().strip()} is older than 20.19 (@marcbachmann/cel-js "
            "needs it): the JS engines are skipped")
        return None, "node older than 20.19"
    jsdir = os.path.join(outdir, "js")
    os.makedirs(jsdir, exist_ok=True)
    for f in ("package.json", "package-lock.json", "run.mjs"):
        shutil.copyfile(os.path.join(srcdir, "bench", "js", f), os.path.join(jsdir, f))
    stamp = os.path.join(jsdir, "node_modules", ".bench-lock")
    with open(os.path.join(jsdir, "package-lock.json"), "rb") as f:
        lock = f.read()
    if os.path.exists(stamp) and open(stamp, "rb").read() == lock:
        return jsdir, None
    log(f"npm ci in {jsdir}")
    p = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=jsdir,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    if p.returncode != 0:
        log("npm ci failed: the JS engines are skipped\n" + p.stdout.decode(errors="replace"))
        return None, "npm ci failed (no registry?)"
    with open(stamp, "wb") as f:
        f.write(lock)
    return jsdir, None


def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def fmt_n(x, digits=0):
    if x is None:
        return "–"
    return f"{x:,.{digits}f}"


def fmt_r(x):
    return "–" if x is None else f"{x:.2f}"


def machine():
    model = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}"


def loadavg():
    try:
        return "%.2f %.2f %.2f" % os.getloadavg()
    except OSError:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--srcdir", default=".")
    ap.add_argument("--builddir", default=".")
    ap.add_argument("--libtool", default="", help="libtool command, to run rpeval under valgrind")
    ap.add_argument("--min-time", type=float, default=400, help="ms per timing (default 400)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="timing rounds, interleaved, median of them (default 5)")
    ap.add_argument("--iterations", type=int, default=1000,
                    help="evaluations per callgrind run (default 1000)")
    ap.add_argument("--copies", default="1,10,100", help="corpus copies (default 1,10,100)")
    ap.add_argument("--timeout", type=float, default=3600,
                    help="seconds each corpus run may take (default 3600)")
    ap.add_argument("--skip-js", action="store_true")
    ap.add_argument("--skip-callgrind", action="store_true")
    ap.add_argument("--skip-scaling", action="store_true")
    a = ap.parse_args()
    src, bld = os.path.abspath(a.srcdir), os.path.abspath(a.builddir)
    outdir = os.path.join(bld, "bench-out")
    os.makedirs(outdir, exist_ok=True)
    exprs_file = os.path.join(src, "bench", "expressions.json")
    with open(exprs_file, encoding="utf-8") as f:
        spec = json.load(f)
    ids = [e["id"] for e in spec["expressions"]]
    builds = {e["id"]: ".map(" in e["expr"] or ".filter(" in e["expr"] for e in spec["expressions"]}
    rpeval = [os.path.join(bld, "rpeval", "rpeval")]
    baseline = [os.path.join(bld, "bench", "baseline")]
    libtool = shlex.split(a.libtool) if a.libtool else []
    mt = str(a.min_time)
    started = time.time()
    raw = {"date": datetime.date.today().isoformat(), "machine": machine(),
           "load_before": loadavg(), "min_time_ms": a.min_time}

    # (a), (b), (c): timings, in interleaved rounds so that a change of the
    # machine's load between programs weighs on each of them alike
    js_dir, js_why = (None, "--skip-js")
    if not a.skip_js:
        js_dir, js_why = prepare_js(src, outdir)
    rounds = {"ours": [], "baseline": [], "js": []}
    for r in range(a.rounds):
        tag = f" (round {r + 1} of {a.rounds})"
        rounds["ours"].append(run_json(rpeval + ["bench", "--expressions", exprs_file,
                                                 "--format", "json", "--min-time", mt],
                                       "libraypolicy" + tag))
        rounds["baseline"].append(run_json(baseline + ["--expressions", exprs_file, "--format",
                                                       "json", "--min-time", mt],
                                           "hand-written C" + tag))
        if js_dir:
            rounds["js"].append(run_json(["node", os.path.join(js_dir, "run.mjs"),
                                          "--expressions", exprs_file, "--min-time", mt],
                                         "JS engines" + tag))
    if any(x is None for x in rounds["ours"] + rounds["baseline"]):
        log("libraypolicy or the baseline did not run: no table")
        return 1
    ours = {"results": combine([x["results"] for x in rounds["ours"]])}
    base = {"results": combine([x["results"] for x in rounds["baseline"]])}
    js = None
    if js_dir and all(rounds["js"]):
        first = rounds["js"][0]
        js = {"node": first["node"], "engines": [
            {"name": en["name"], "version": en["version"],
             "results": combine([x["engines"][k]["results"] for x in rounds["js"]])}
            for k, en in enumerate(first["engines"])]}
    elif js_dir:
        js_why = "run.mjs failed"
    raw.update(ours=ours, baseline=base, js=js, rounds=rounds)

    # (d): callgrind
    cg = {"ours": {}, "c": {}}
    cg_why = "--skip-callgrind"
    if not a.skip_callgrind:
        cg_why = None if shutil.which("valgrind") else "valgrind not found"
    if cg_why is None:
        cgdir = os.path.join(outdir, "callgrind")
        os.makedirs(cgdir, exist_ok=True)
        for i in ids:
            log(f"callgrind: {i}")
            cmd_ours = rpeval + ["bench", "--expressions", exprs_file, "--only", i]
            cmd_c = baseline + ["--expressions", exprs_file, "--only", i]
            cg["ours"][i] = callgrind(libtool, cmd_ours, os.path.join(cgdir, f"ours.{i}.out"),
                                      a.iterations, f"callgrind {i} (ours)")
            cg["c"][i] = callgrind(libtool, cmd_c, os.path.join(cgdir, f"c.{i}.out"),
                                   a.iterations, f"callgrind {i} (C)")
    raw["callgrind"] = cg if cg_why is None else None
    raw["callgrind_iterations"] = a.iterations

    # (e): whole checks as the corpus grows
    scaling = []
    sc_why = "--skip-scaling" if a.skip_scaling else None
    if not a.skip_scaling:
        for n in [int(x) for x in a.copies.split(",") if x.strip()]:
            r = run_json(rpeval + ["bench", "--pack", "ray-hardening", "--copies", str(n),
                                   "--format", "json", os.path.join(src, "tests", "corpus", "ray")],
                         f"corpus x{n}", timeout=a.timeout)
            scaling.append({"copies": n, "result": r})
    raw["scaling"] = scaling
    raw["load_after"] = loadavg()
    raw["seconds"] = round(time.time() - started)

    md, failed_checks = render(raw, ids, builds, js_why, cg_why, sc_why, a)
    with open(os.path.join(outdir, "results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(outdir, "results.json"), "w", encoding="utf-8") as f:
        json.dump(raw, f, indent=1)
    print(md)
    log(f"written: {os.path.join(outdir, 'results.md')} and results.json")
    return 1 if failed_checks else 0


def combine(per_round):
    """One result list from several rounds' lists: per expression, the
    median of the rounds' medians, the least minimum, the greatest maximum;
    ok only when ok in every round."""
    out = []
    for k, first in enumerate(per_round[0]):
        rs = [rl[k] for rl in per_round]
        c = dict(first)
        c["ok"] = all(r.get("ok") for r in rs)
        for field in ("eval_ns", "compile_ns", "parse_ns"):
            vals = sorted(r[field] for r in rs if r.get(field) is not None)
            if vals and c["ok"]:
                c[field] = vals[len(vals) // 2]
        for field, pick in (("eval_ns_min", min), ("eval_ns_max", max),
                            ("compile_ns_min", min), ("compile_ns_max", max)):
            vals = [r[field] for r in rs if r.get(field) is not None]
            if vals and c["ok"]:
                c[field] = pick(vals)
        out.append(c)
    return out


def by_id(results):
    return {r["id"]: r for r in (results or [])}


def render(raw, ids, builds, js_why, cg_why, sc_why, a):
    ours = by_id(raw["ours"]["results"])
    base = by_id(raw["baseline"]["results"])
    engines = {}
    for en in (raw["js"] or {}).get("engines", []):
        engines[en["name"]] = {"version": en["version"], "r": by_id(en["results"])}
    celjs = engines.get("@marcbachmann/cel-js")
    buf = engines.get("@bufbuild/cel")
    cg = raw["callgrind"]
    failed_checks = [i for i in ids if not ours.get(i, {}).get("ok")] + \
        [f"C {i}" for i in ids if not base.get(i, {}).get("ok")]

    def js_field(eng, i, field):
        r = eng["r"].get(i) if eng else None
        return r.get(field) if r and r.get("ok") else None

    rows = []
    for i in ids:
        o, c = ours.get(i, {}), base.get(i, {})
        js_evals = [x for x in (js_field(celjs, i, "eval_ns"), js_field(buf, i, "eval_ns")) if x]
        js_compiles = [x for x in (js_field(celjs, i, "compile_ns"), js_field(buf, i, "compile_ns"))
                       if x]
        ir_o = cg["ours"].get(i) if cg else None
        ir_c = cg["c"].get(i) if cg else None
        row = {
            "id": i, "ours": o.get("eval_ns"), "celjs": js_field(celjs, i, "eval_ns"),
            "buf": js_field(buf, i, "eval_ns"), "c": c.get("eval_ns"),
            "fastest_js": min(js_evals) if js_evals else None,
            "fastest_js_compile": min(js_compiles) if js_compiles else None,
            "ir_o": ir_o["ir"] if ir_o else None, "ir_c": ir_c["ir"] if ir_c else None,
            "compile_o": o.get("compile_ns"), "compile_celjs": js_field(celjs, i, "compile_ns"),
            "parse_celjs": js_field(celjs, i, "parse_ns"),
            "evaluator": o.get("evaluator"), "builds": builds[i],
        }
        row["r_js"] = row["celjs"] / row["ours"] if row["celjs"] and row["ours"] else None
        row["r_fastest"] = row["fastest_js"] / row["ours"] if row["fastest_js"] and row["ours"] else None
        row["r_c"] = row["ours"] / row["c"] if row["ours"] and row["c"] else None
        row["r_ir"] = row["ir_o"] / row["ir_c"] if row["ir_o"] and row["ir_c"] else None
        # heap allocations of the evaluation itself: callgrind's count of
        # allocation calls in bench_loop, less rp_eval()'s returned block;
        # without valgrind, the activation's own count
        if ir_o:
            row["allocs"] = ir_o["allocs"] - (1 if row["evaluator"] == "rp_eval" else 0)
            row["allocs_src"] = "callgrind"
        else:
            row["allocs"] = o.get("arena_allocs_per_eval")
            row["allocs_src"] = "rp_activation_allocations"
        rows.append(row)

    L = []
    L.append(f"## Figures of {raw['date']}")
    L.append("")
    L.append(f"Machine: {raw['machine']}; load average {raw['load_before']} before, "
             f"{raw['load_after']} after; {raw['seconds']} s in all.")
    jsv = ", ".join(f"{n} {e['version']}" for n, e in engines.items())
    L.append(f"Command: `make bench` (bench/run-bench.py --min-time {a.min_time:g} "
             f"--rounds {a.rounds} --iterations {a.iterations} --copies {a.copies}); "
             f"node {(raw['js'] or {}).get('node', '–')}{', ' + jsv if jsv else ''}.")
    if a.min_time < 100:
        L.append(f"--min-time {a.min_time:g} ms is too short for a comparison: the JS "
                 "engines' JIT is not warmed up (400 is the default).")
    if js_why:
        L.append(f"JS engines not run: {js_why}.")
    if cg_why:
        L.append(f"Callgrind not run: {cg_why}.")
    L.append("")
    L.append("| expression | ours ns | cel-js ns | bufbuild ns | C ns | cel-js/ours | ours/C "
             "| Ir ours | Ir C | Ir ours/C | compile ours ns | compile cel-js ns | allocs/eval ours |")
    L.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        L.append(f"| {r['id']} | {fmt_n(r['ours'])} | {fmt_n(r['celjs'])} | {fmt_n(r['buf'])} "
                 f"| {fmt_n(r['c'])} | {fmt_r(r['r_js'])} | {fmt_r(r['r_c'])} | {fmt_n(r['ir_o'])} "
                 f"| {fmt_n(r['ir_c'])} | {fmt_r(r['r_ir'])} | {fmt_n(r['compile_o'])} "
                 f"| {fmt_n(r['compile_celjs'])} | {fmt_n(r['allocs'], 2)} |")
    g = lambda k: geomean([r[k] for r in rows])  # noqa: E731
    L.append(f"| **geometric mean** | {fmt_n(g('ours'))} | {fmt_n(g('celjs'))} | {fmt_n(g('buf'))} "
             f"| {fmt_n(g('c'))} | **{fmt_r(g('r_js'))}** | {fmt_r(g('r_c'))} | {fmt_n(g('ir_o'))} "
             f"| {fmt_n(g('ir_c'))} | **{fmt_r(g('r_ir'))}** | {fmt_n(g('compile_o'))} "
             f"| {fmt_n(g('compile_celjs'))} | |")
    L.append("")
    notes = []
    for name, e in engines.items():
        bad = [f"{i} ({r.get('detail')})" for i, r in e["r"].items() if not r.get("ok")]
        if bad:
            notes.append(f"{name} does not support: " + "; ".join(bad) + ".")
        noted = [i for i, r in e["r"].items() if r.get("note")]
        if noted:
            notes.append(f"{name}: {', '.join(noted)}: sum() (Kubernetes lists library) "
                         "registered as a custom function.")
    for n in notes:
        L.append(f"- {n}")
    if notes:
        L.append("")

    if raw["scaling"]:
        L.append("Whole check of the Ray corpus with the ray-hardening pack, each copy in "
                 "namespaces of its own:")
        L.append("")
        L.append("| copies | objects | findings | first run ms | runs | check ms (median) "
                 "| objects/s | ns/object | vs 1x |")
        L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    base_ns = None
    base_findings = None
    for s in raw["scaling"]:
        r = s["result"]
        if not r:
            L.append(f"| {s['copies']} | – | – | – | – | did not finish within {a.timeout:g} s "
                     "| – | – | – |")
            continue
        if s["copies"] == 1:
            base_ns, base_findings = r["ns_per_object"], r["findings"]
        vs = r["ns_per_object"] / base_ns if base_ns else None
        L.append(f"| {s['copies']} | {fmt_n(r['objects'])} | {fmt_n(r['findings'])} "
                 f"| {fmt_n(r['first_run_ms'], 1)} | {r['runs']} | {fmt_n(r['check_ms'], 1)} | {fmt_n(r['objects_per_second'])} "
                 f"| {fmt_n(r['ns_per_object'])} | {fmt_r(vs)} |")
    if raw["scaling"]:
        L.append("")

    # the criteria of the performance issue
    L.append("Criteria of the performance issue:")
    L.append("")

    def crit(ok, text):
        L.append(f"- {'PASS' if ok else 'FAIL' if ok is False else 'N/A '} {text}")

    if engines:
        slow = [r["id"] for r in rows if not (r["r_fastest"] and r["r_fastest"] > 1)]
        crit(not slow, "every expression evaluates faster than the fastest JS engine"
             + (f" (not: {', '.join(slow)})" if slow else ""))
        gm = geomean([r["r_fastest"] for r in rows])
        crit(gm is not None and gm >= 4,
             f"geometric mean of fastest-JS/ours is at least 4x: {fmt_r(gm)}x")
    else:
        crit(None, "faster than the fastest JS engine, 4x geometric mean: JS engines not run")
    if cg:
        gm = geomean([r["r_ir"] for r in rows])
        worst = max(rows, key=lambda r: r["r_ir"] or 0)
        crit(gm is not None and gm <= 2,
             f"callgrind instructions per evaluation within 2x of the C baseline "
             f"(geometric mean): {fmt_r(gm)}x")
        crit(all(r["r_ir"] and r["r_ir"] <= 3 for r in rows),
             f"within 3x on each: worst {worst['id']} {fmt_r(worst['r_ir'])}x")
    else:
        crit(None, "instructions per evaluation vs C: callgrind not run")
    plain = [r for r in rows if not r["builds"]]
    allocating = [f"{r['id']} ({fmt_n(r['allocs'], 2)})" for r in plain
                  if r["allocs"] is None or r["allocs"] > 0]
    crit(not allocating,
         f"zero heap allocations per evaluation for the {len(plain)} expressions that build no "
         f"list or map ({plain[0]['allocs_src'] if plain else '?'}; rp_eval()'s returned block "
         "not counted)" + (f": not {', '.join(allocating)}" if allocating else ""))
    if engines:
        slow = [r["id"] for r in rows
                if not (r["compile_o"] and r["fastest_js_compile"]
                        and r["compile_o"] < r["fastest_js_compile"])]
        crit(not slow, "compile time below the fastest JS engine's on each expression"
             + (f" (not: {', '.join(slow)})" if slow else ""))
        slow_parse = [r["id"] for r in rows
                      if r["compile_o"] and r["parse_celjs"] and r["compile_o"] >= r["parse_celjs"]]
        L.append("  (against cel-js parse() alone, without its type check: "
                 + (f"slower on {', '.join(slow_parse)})" if slow_parse else "faster on each)"))
    else:
        crit(None, "compile time vs JS: JS engines not run")
    if raw["scaling"]:
        done = [s for s in raw["scaling"] if s["result"]]
        one = next((s["result"] for s in done if s["copies"] == 1), None)
        if one:
            crit(True, f"objects per second reported: {fmt_n(one['objects_per_second'])} "
                 f"objects/s on the 1x corpus ({one['objects']} objects)")
        bad = []
        for s in raw["scaling"]:
            if s["copies"] == 1:
                continue
            r = s["result"]
            if not r or not base_ns or r["ns_per_object"] > 1.5 * base_ns:
                bad.append(f"{s['copies']}x " + (f"{r['ns_per_object'] / base_ns:.2f}x"
                                                 if r and base_ns else "not measured"))
        if not one or len(raw["scaling"]) < 2:
            crit(None, "time per object within 1.5x of the 1x figure: needs 1x and more copies")
        else:
            crit(not bad, "time per object stays within 1.5x of the 1x figure, "
                 "cross-object rules included" + (f": not {', '.join(bad)}" if bad else ""))
        mism = [f"{s['copies']}x" for s in done if base_findings is not None
                and s["result"]["findings"] != s["copies"] * base_findings]
        L.append("  (copies are independent: findings of N copies = N x those of one"
                 + (f"; NOT for {', '.join(mism)})" if mism else ")"))
    else:
        crit(None, f"corpus scaling: {sc_why}")
    L.append("")
    if failed_checks:
        L.append(f"RESULT CHECK FAILED: {', '.join(failed_checks)}")
        L.append("")
    return "\n".join(L) + "\n", failed_checks


if __name__ == "__main__":
    sys.exit(main())
