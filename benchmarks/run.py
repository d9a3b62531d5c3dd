"""Every pyo3-guard benchmark in one run, side by side with its baseline, printed as one table.

Run it through scripts/bench (which installs the tools and maturin-import-hook 0.3.0):

    scripts/bench                         # the full run (about 15 minutes on 2 cores)
    scripts/bench --quick                 # fewer repetitions, for a look
    scripts/bench --update BENCHMARKS.md  # also replace the results section of that file

Not a test: nothing here fails on a slow machine. Each figure is a median; ratios are against a
baseline measured in the same run, the two sides alternating. Sections (--only):
  freshness  the check verify() runs vs maturin-import-hook's check (benchmarks/freshness.py)
  import     import time, registration vs hand-written add_class (benchmarks/import_time.py)
  builds     cold build, rebuilds, added crates (benchmarks/builds.py), and the real verify()
             through Python on the demo
  size       the demo's library: full and distribution (PYO3_GUARD_DIST=1) builds vs plain PyO3
  heal       edit to green pytest session: heal vs the fix typed by hand vs maturin-import-hook
             (benchmarks/heal.py), and a fresh session with the switch on vs off
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import builds  # noqa: E402
import freshness  # noqa: E402
import heal  # noqa: E402
import import_time  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("freshness", "import", "builds", "size", "heal")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms" if seconds < 1 else f"{seconds:.2f} s"


def first_line(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "not found"


def pyo3_versions(work: Path) -> str:
    """The PyO3 version(s) the run's crates were built with, from the lock files cargo wrote into
    the work directory (the examples carry no lock file of their own)."""
    found = {m.group(1) for lock in work.rglob("Cargo.lock")
             for m in re.finditer(r'name = "pyo3"\nversion = "([^"]+)"', lock.read_text())}
    return ", ".join(sorted(found)) or "?"


def machine() -> list[str]:
    """The run's circumstances, taken at its start; `{pyo3}` is filled in at its end."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []:
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    commit = first_line("git", "-C", str(REPO), "rev-parse", "--short", "HEAD")
    return [
        f"- date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, commit {commit}",
        f"- machine: {os.cpu_count()} cores (nproc), {cpu}, {platform.system()} {platform.release()}",
        f"- load average at the start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other builds may run beside this one)",
        f"- tools: {first_line('rustc', '-V')}; {first_line('cargo', '-V')}; {first_line('maturin', '-V')}; "
        f"{first_line('uv', '-V')}; Python {platform.python_version()}; "
        f"maturin-import-hook {freshness.hook_version()}; pyo3 {{pyo3}}",
    ]


class Table:
    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.notes: list[str] = []

    def add(self, number: str, what: str, guard: str, baseline: str, ratio: str, goal: str, misses: list[str]) -> None:
        verdict = "met" if not misses else "MISSED (" + "; ".join(misses) + ")"
        if goal == "":
            verdict = ""
        self.rows.append([number, what, guard, baseline, ratio, goal, verdict])

    def render(self) -> str:
        head = ["#", "measure", "pyo3-guard", "baseline", "ratio", "goal", "result"]
        lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def freshness_rows(table: Table, rows: list[dict]) -> list[str]:
    absolute_goal = {1000: 2e-3, 10000: 20e-3}
    for row in rows:
        n, state = row["files"], row["state"]
        size = min(absolute_goal, key=lambda k: abs(k - n)) if n >= 900 else None
        ratio = row["guard_s"] / row["hook_s"]
        expected = freshness.EXPECTED["pyo3-guard"][freshness.STATES.index(state)]
        misses = []
        goal = "ratio <= 1/7"
        if ratio > 1 / 7:
            misses.append(f"ratio {ratio:.2f}")
        if state == "unchanged" and size is not None:
            goal += f", <= {ms(absolute_goal[size])}"
            if row["guard_s"] > absolute_goal[size]:
                misses.append(f"{ms(row['guard_s'])}")
        goal += f", {expected}"
        if row["guard_verdict"] != expected:
            misses.append(f"verdict {row['guard_verdict']}")
        table.add("1", f"freshness check, {n:,} files, {state}",
                  f"{ms(row['guard_s'])} ({row['guard_verdict']})",
                  f"hook {ms(row['hook_s'])} ({row['hook_verdict']})", f"{ratio:.2f}", goal, misses)
    detail = ["| files | directories | check() | of which discover() | bare walk (read_dir + stat) | "
              "one stat per input (floor) | stat per input and directory |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        if row["state"] == "unchanged":
            detail.append(f"| {row['files']:,} | {row['dirs']:,} | {ms(row['guard_s'])} | {ms(row['discover_s'])} | "
                          f"{ms(row['walk_s'])} | {ms(row['stat_s'])} | {ms(row['stat_dirs_s'])} |")
    return detail


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a look, not a record)")
    parser.add_argument("--only", action="append", choices=SECTIONS, help="run only this section (repeatable)")
    parser.add_argument("--update", type=Path, metavar="FILE",
                        help="replace the part of FILE between '<!-- results -->' and '<!-- /results -->'")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    sections = args.only or list(SECTIONS)
    python = sys.executable
    target = Path(os.environ.setdefault("CARGO_TARGET_DIR", str(REPO / "target" / "bench")))
    work = Path(tempfile.mkdtemp(prefix="pyo3-guard-bench-"))
    table = Table()
    out: list[str] = []
    circumstances = machine()
    try:
        detail: list[str] = []
        if "freshness" in sections:
            sizes = [100, 1000, 10000]
            rows = freshness.run(work / "freshness", sizes, 2 if args.quick else 5, target, log)
            detail = freshness_rows(table, rows)
        if "import" in sections:
            import_section(table, work / "import", python, 21 if args.quick else 201)
        if "builds" in sections:
            builds_section(table, work / "builds", python, target, 1 if args.quick else 3, 3 if args.quick else 6)
        if "size" in sections:
            size_section(table, work / "size", python)
        if "heal" in sections:
            heal_section(table, work / "heal", python, 2 if args.quick else 5)
        # The PyO3 version is known once the sections' builds wrote their lock files.
        out += ["## Results", "", *(line.replace("{pyo3}", pyo3_versions(work)) for line in circumstances),
                f"- run: `scripts/bench{' --quick' if args.quick else ''}`"
                + (f" (sections: {', '.join(sections)})" if args.only else ""), ""]
        out += [table.render(), ""]
        if detail:
            out += ["Where the freshness check's time goes (unchanged state, medians; the last three "
                    "columns are bare loops, not pyo3-guard code):", "", *detail, ""]
        out += table.notes
        text = "\n".join(out).rstrip() + "\n"
        print(text)
        if args.update:
            update(args.update, text)
    finally:
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


def import_section(table: Table, work: Path, python: str, runs: int) -> None:
    n = 200
    variants = import_time.VARIANTS
    for shape in import_time.SHAPES:
        sites = {v: import_time.build(v, name, n, work / shape, python, shape) for v, name in variants.items()}
        times: dict[str, list[float]] = {v: [] for v in variants}
        for v, name in variants.items():  # warm the file cache once
            import_time.time_import(python, name, sites[v], n)
        log(f"import ({shape} classes): {runs} alternating imports of each variant ...")
        for _ in range(runs):
            for v, name in variants.items():
                times[v].append(import_time.time_import(python, name, sites[v], n))
        med = {v: statistics.median(t) for v, t in times.items()}
        ratio = med["registered"] / med["plain"]
        what = f"{n} {shape} classes + {n} functions"
        table.add("2", f"import, {what}, registered (release)", ms(med["registered"]),
                  f"hand add_class {ms(med['plain'])}", f"{ratio:.3f}", "ratio <= 1.05",
                  [] if ratio <= 1.05 else [f"ratio {ratio:.3f}"])
        table.add("2", f"import, {what}, #[guarded_pymodule] + hand add_class", ms(med["guard+hand"]),
                  f"hand add_class {ms(med['plain'])}", f"{med['guard+hand'] / med['plain']:.3f}", "", [])
        log(f"import ({shape} classes): instruction counts under callgrind ...")
        counts = {v: import_time.instructions(python, name, sites[v]) for v, name in variants.items()}
        if None not in counts.values():
            for variant, label in (("registered", "registered"), ("guard+hand", "#[guarded_pymodule] + hand add_class")):
                ratio = counts[variant] / counts["plain"]
                table.add("2", f"import, {shape} classes, instructions (callgrind: the same whatever the load), {label}",
                          f"{counts[variant] / 1e6:.2f} M", f"hand add_class {counts['plain'] / 1e6:.2f} M",
                          f"{ratio:.3f}", "ratio <= 1.05" if variant == "registered" else "",
                          [] if ratio <= 1.05 or variant != "registered" else [f"ratio {ratio:.3f}"])


def builds_section(table: Table, work: Path, python: str, target: Path, cold_reps: int, rebuild_reps: int) -> None:
    r = builds.run(work, python, cold_reps, rebuild_reps, log)
    inc = builds.medians(r, "incremental")
    ratio = inc["guard"] / inc["plain"]
    table.add("3", "one-line-change rebuild, demo (debug)", ms(inc["guard"]), f"plain PyO3 {ms(inc['plain'])}",
              f"{ratio:.3f}", "ratio <= 1.05", [] if ratio <= 1.05 else [f"ratio {ratio:.3f}"])
    noc = builds.medians(r, "nochange")
    ratio = noc["guard"] / noc["plain"]
    work_done = sorted({line for runs in r["nochange_work"]["guard"] for line in runs})
    misses = [] if ratio <= 1.05 else [f"ratio {ratio:.3f}"]
    if work_done:
        misses.append("did work: " + ", ".join(work_done)[:200])
    table.add("3", "no-change rebuild (`cargo build -v` prints no Compiling/Running)", ms(noc["guard"]),
              f"plain PyO3 {ms(noc['plain'])}", f"{ratio:.3f}", "ratio <= 1.05, no work", misses)
    cold = builds.medians(r, "cold")
    ratio = cold["guard"] / cold["plain"]
    table.add("4", f"cold build, demo (debug, fresh target dir, {cold_reps} each)", ms(cold["guard"]),
              f"plain PyO3 {ms(cold['plain'])}", f"{ratio:.3f}", "ratio <= 1.10",
              [] if ratio <= 1.10 else [f"ratio {ratio:.3f}"])
    rel = r["cold_release"]
    table.add("4", "cold build, demo (release, dependencies compiled afresh, 1 each)", ms(rel["guard"]),
              f"plain PyO3 {ms(rel['plain'])}", f"{rel['guard'] / rel['plain']:.2f}", "", [])

    # The real verify() through Python, and the engine alone on the same tree.
    binary = freshness.check_bench_binary(target)
    record = work / "demo-record.txt"
    freshness.engine_record(binary, r["guard_crate"], record)
    engine = freshness.engine_batch(binary, record, 500)
    for profile, so in r["libs"].items():
        seconds, inputs = freshness.python_verify(python, so, r["guard_crate"], work)
        table.add("1", f"`demo.__guard__.verify()` through Python, demo ({inputs} inputs), {profile} build",
                  ms(seconds), f"engine alone {ms(engine['median_ns'] / 1e9)}",
                  f"+{ms(seconds - engine['median_ns'] / 1e9)}", "", [])

    counts = r["crate_counts"]
    table.notes += [
        f"Crates pyo3-guard adds to the demo's graph (`cargo tree -e normal,build`, {counts['plain']} crates "
        f"without, {counts['guard']} with): " + (", ".join(f"`{c}`" for c in r["added_crates"]) or "none") + ".",
        "",
    ]


def size_section(table: Table, work: Path, python: str) -> None:
    size = builds.sizes(work, python, log)
    rows = (("full", "plain", "release .so size, full build (the default)", 200),
            ("dist", "plain", "release .so size, distribution build (`PYO3_GUARD_DIST=1`)", 48),
            ("full-dev", "plain-dev", "dev-profile .so size, full build", None))
    for kind in ("stripped", "unstripped"):
        for name, base, what, goal in rows:
            g, p = size[name][kind], size[base][kind]
            extra = (g - p) / 1024
            judged = goal is not None and kind == "stripped"
            table.add("5", f"{what}, {kind}", f"{g / 1024:,.0f} KiB", f"plain PyO3 {p / 1024:,.0f} KiB",
                      f"{extra:+,.0f} KiB ({g / p:.2f}x)", f"<= +{goal} KiB" if judged else "",
                      [] if not judged or extra <= goal else [f"{extra:+,.0f} KiB"])


def heal_section(table: Table, work: Path, python: str, rounds: int) -> None:
    r = heal.run_all(work, python, rounds, 3 * rounds, log)
    for baseline, what in (("hand", "the fix typed by hand (pytest, maturin develop, pytest)"),
                           ("hook", "maturin-import-hook 0.3.0 rebuilding at import")):
        ratio = r["heal"] / r[baseline]
        misses = [f"ratio {ratio:.2f}"] if ratio > 1.1 else []
        table.add("6", f"edit to green pytest session, heal vs {what}, median of {r['rounds']}",
                  ms(r["heal"]), ms(r[baseline]), f"{ratio:.2f}", "ratio <= 1.1", misses)
    ratio = r["fresh_on"] / r["fresh_off"]
    misses = [f"ratio {ratio:.2f}"] if ratio > 1.05 else []
    table.add("6", f"fresh pytest session, PYO3_GUARD_REBUILD=1 vs unset, median of {r['fresh_runs']}",
              ms(r["fresh_on"]), ms(r["fresh_off"]), f"{ratio:.2f}", "ratio <= 1.05 (noise)", misses)
    ratio = r["verify_on"] / r["verify_off"]
    misses = [f"ratio {ratio:.2f}"] if ratio > 1.05 else []
    table.add("6", f"fresh `verify()`, one call (2,000 in a loop), PYO3_GUARD_REBUILD=1 vs unset, median of {r['fresh_runs']}",
              ms(r["verify_on"]), ms(r["verify_off"]), f"{ratio:.2f}", "ratio <= 1.05", misses)


def update(path: Path, text: str) -> None:
    start, end = "<!-- results -->", "<!-- /results -->"
    old = path.read_text() if path.exists() else f"{start}\n{end}\n"
    if start not in old or end not in old:
        raise SystemExit(f"{path} has no '{start}' ... '{end}' section to replace")
    head, rest = old.split(start, 1)
    _, tail = rest.split(end, 1)
    path.write_text(f"{head}{start}\n{text}{end}{tail}")
    log(f"updated {path}")


if __name__ == "__main__":
    main()
