#!/usr/bin/env python3
"""How fast is `kepu check` at district, city and province scale, against hand-written DuckDB SQL?

    python benchmarks/bench_scale.py                      # district and city
    python benchmarks/bench_scale.py --province           # district, city and province
    python benchmarks/bench_scale.py --only city          # one scale (repeatable)
    options: --data DIR   where generated projects are kept and reused (default: a temporary folder)
             --engine auto|python|columnar   passed to kepu check (default auto)
             --seed N     generator seed;  --repeat N  runs per small measurement (default 5)

For each scale it prints the wall time, CPU time (user + sys) and peak memory of:

- `kepu check` end to end, as a subprocess including interpreter start (text report to /dev/null and
  the JSON report to a file). At province scale: the batch assessment of 100 projects (2 worker
  processes) rendered as HTML, through `kepu check --batch` when the CLI has it, else through
  `python -c` calling kepu_rules.batch.assess_batch;
- the same checks written by hand as DuckDB SQL (benchmarks/sql/national_subset.sql: A1, B1, B4, B12,
  V1, V3, F1), also a subprocess including interpreter start. Offline DuckDB 2.0 loads neither the
  excel nor the encodings extension, so the xlsx sheets are converted to CSV with openpyxl and the
  GB18030 CSVs transcoded to UTF-8 inside the timed process; the breakdown is printed;

their ratio, and whether both reach the same status on each of those rules (a correctness check).
It also times `python -c "import kepu_rules"` and `kepu check` on examples/demo-district (target:
< 0.5 s wall including interpreter start). Every command runs as a user's would, with Python's
compiled modules cached in __pycache__: PYTHONDONTWRITEBYTECODE, which some sandboxes set and which
makes every run compile every module again (about 0.1 s), is removed from the environment, and the
demo check runs once unmeasured first. Figures only: nothing is asserted.

Peak memory: `max RSS` is the largest single process (os.wait4); `tree RSS` samples the sum over the
process and its children every 50 ms (Linux /proc), which is what counts with worker processes.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable
KEPU = str(Path(PYTHON).with_name("kepu"))
SQL_FILE = HERE / "sql" / "national_subset.sql"
CROSS_CHECKED = ("A1", "B1", "B4", "B12", "V1", "V3", "F1")


# --- measuring a subprocess ----------------------------------------------------------------------


@dataclass
class Run:
    wall: float
    cpu: float  # user + sys of the process and the children it waited for
    max_rss_mb: float  # the largest single process
    tree_rss_mb: float  # the peak of the summed RSS of the process tree (sampled)
    returncode: int
    stdout: str = ""
    stderr: str = ""


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _tree_rss_kb(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += _rss_kb(p)
        todo.extend(_children(p))
    return total


def measure(cmd: list[str], cwd: Path | None = None, capture: bool = False) -> Run:
    """Run a command; wall time, CPU time and peak memory of it and its children."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
                                stderr=err if capture else subprocess.DEVNULL)
        peak = [0]
        done = threading.Event()

        def sample() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _tree_rss_kb(proc.pid))
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout = ""
        if proc.stdout is not None:
            # read the pipe before waiting, so a big output cannot block the child (stderr goes to a file)
            stdout = proc.stdout.read().decode("utf-8", "replace")
            proc.stdout.close()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        done.set()
        sampler.join()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, peak[0] / 1024, proc.returncode,
               stdout, stderr)


# --- the hand-written SQL ------------------------------------------------------------------------


def sql_worker(projects: list[Path], root: Path) -> None:
    """Inside the timed subprocess: convert what DuckDB cannot read, run the SQL, print JSON results."""
    import csv

    t0 = time.perf_counter()
    import duckdb
    import openpyxl
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    work = Path(tempfile.mkdtemp(prefix="kepu-sql-"))
    try:
        (work / "activities").mkdir()
        files = {name: (work / f"{name}.csv").open("w", encoding="utf-8", newline="")
                 for name in ("projects", "streets", "communities", "signs", "facts", "budget")}
        w = {name: csv.writer(f) for name, f in files.items()}
        w["projects"].writerow(["idx", "project"])
        w["streets"].writerow(["project", "名称", "类型", "常住人口"])
        w["communities"].writerow(["project", "名称", "街道", "类型", "常住人口"])
        w["signs"].writerow(["project", "编号", "街道", "沿街显要"])
        w["facts"].writerow(["project", "population", "budget"])
        w["budget"].writerow(["project", "year", "budget"])
        t_xlsx = t_csv = t_yaml = 0.0
        for i, project in enumerate(projects):
            name = project.relative_to(root).as_posix() or "."
            w["projects"].writerow([i, name])
            t = time.perf_counter()
            wb = openpyxl.load_workbook(project / "data" / "台账.xlsx", read_only=True, data_only=True)
            for row in wb["街道"].iter_rows(min_row=3, max_col=3, values_only=True):
                if row[0] is not None:
                    w["streets"].writerow([name, *row])
            for row in wb["社区（村）"].iter_rows(min_row=3, max_col=4, values_only=True):
                if row[0] is not None:
                    w["communities"].writerow([name, *row])
            for row in wb["科普标识"].iter_rows(min_row=4, max_col=4, values_only=True):
                if row[0] is not None:
                    w["signs"].writerow([name, row[0], row[1], row[3]])
            wb.close()
            t_xlsx += time.perf_counter() - t
            t = time.perf_counter()
            text = (project / "data" / "科普活动.csv").read_bytes().decode("gb18030")
            (work / "activities" / f"{i}.csv").write_bytes(text.encode("utf-8"))
            t_csv += time.perf_counter() - t
            t = time.perf_counter()
            doc = yaml.load((project / "data" / "基本情况.yaml").read_text(encoding="utf-8"), Loader=loader)
            facts = doc.get("facts") or {}
            w["facts"].writerow([name, facts.get("常住人口", ""), facts.get("科普专项经费", "")])
            for r in doc.get("经费") or []:
                w["budget"].writerow([name, r.get("年度"), r.get("预算万元")])
            t_yaml += time.perf_counter() - t
        for f in files.values():
            f.close()
        t_convert = time.perf_counter() - t0
        t = time.perf_counter()
        con = duckdb.connect()
        con.execute("SET threads = 2")
        script = SQL_FILE.read_text(encoding="utf-8").replace("${WORK}", work.as_posix())
        con.execute(script)
        rows = con.execute("SELECT project, rule, failing, total, measured, target, status FROM results").fetchall()
        t_query = time.perf_counter() - t
    finally:
        shutil.rmtree(work, ignore_errors=True)
    results = [dict(zip(("project", "rule", "failing", "total", "measured", "target", "status"), r, strict=True))
               for r in rows]
    print(json.dumps({"timings": {"imports_and_convert": t_convert, "xlsx_openpyxl": t_xlsx, "csv_transcode": t_csv,
                                  "yaml": t_yaml, "duckdb_query": t_query},
                      "results": results}, ensure_ascii=False))


# --- the scales ----------------------------------------------------------------------------------


def _fmt(run: Run) -> str:
    return (f"{run.wall:7.2f} s wall  {run.cpu:7.2f} s cpu  {run.max_rss_mb:7.0f} MB max RSS  "
            f"{run.tree_rss_mb:7.0f} MB tree RSS")


def _projects(folder: Path) -> list[Path]:
    if (folder / "kepu.yaml").is_file():
        return [folder]
    return sorted(p for p in folder.iterdir() if (p / "kepu.yaml").is_file())


def ensure_data(scale: str, data: Path, seed: int) -> Path:
    """The generated projects of a scale under data/scale (generated once, then reused)."""
    import generate  # benchmarks/, the script's own folder

    target = data / f"{scale}-{seed}"

    def make() -> None:
        run = measure([PYTHON, str(HERE / "generate.py"), scale, str(target), "--seed", str(seed)], capture=True)
        if run.returncode != 0:
            sys.exit(f"generate.py failed:\n{run.stderr}")
        size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
        print(f"  generate: {run.stdout.strip()}")
        print(f"  generate: {_fmt(run)}  ({size / 1e6:.1f} MB on disk)")

    return generate.reuse_or_make(target, make)


def _has_batch_cli() -> bool:
    try:
        out = subprocess.run([KEPU, "check", "--help"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--batch" in out


BATCH_SNIPPET = """
import sys
from pathlib import Path
from kepu_rules.batch import assess_batch, exit_code
from kepu_rules.reports.ranking import render_html
ranking = assess_batch(Path(sys.argv[1]), "zh", workers=2)
Path(sys.argv[2]).write_text(ranking.to_json(), encoding="utf-8")
Path(sys.argv[3]).write_text(render_html(ranking), encoding="utf-8")
sys.exit(exit_code(ranking))
"""


def kepu_statuses_single(report_json: Path, project: str) -> dict[tuple[str, str], str]:
    report = json.loads(report_json.read_text(encoding="utf-8"))
    return {(project, r["id"]): r["status"] for r in report["results"] if r["id"] in CROSS_CHECKED}


def bench_scale(scale: str, data: Path, seed: int, out: Path, engine: str = "auto") -> None:
    print(f"\n== {scale} ==")
    folder = ensure_data(scale, data, seed)
    projects = _projects(folder)
    out.mkdir(parents=True, exist_ok=True)
    if scale == "province":
        ranking_json, ranking_html = out / f"{scale}-ranking.json", out / f"{scale}-ranking.html"
        if _has_batch_cli():
            cmd = [KEPU, "check", "--batch", str(folder), "--format", f"json:{ranking_json}",
                   "--format", f"html:{ranking_html}", "--engine", engine]
            how = f"kepu check --batch --engine {engine}"
        else:
            cmd = [PYTHON, "-c", BATCH_SNIPPET, str(folder), str(ranking_json), str(ranking_html)]
            how = "python -c assess_batch(workers=2) + render_html (kepu check --batch is not wired yet)"
        kepu = measure(cmd)
        kepu_status: dict[tuple[str, str], str] = {}
        ranking = json.loads(ranking_json.read_text(encoding="utf-8"))
        for d in ranking["districts"]:
            if d["verdict"] == "error":
                continue
            for rule in ("A1", "V1", "V3"):
                failed = rule in d["veto_failures"] or rule in d["required_failures"]
                unknown = rule in d["incomplete"]
                kepu_status[(d["folder"], rule)] = "unknown" if unknown else "fail" if failed else "pass"
        verdicts = ranking["summary"]["verdicts"]
        print(f"  kepu:  {how}")
        print(f"         ranking of {ranking['summary']['total']} projects: {verdicts}")
    else:
        report_json = out / f"{scale}-report.json"
        cmd = [KEPU, "check", "-c", str(folder / "kepu.yaml"), "--format", "text", "--format", f"json:{report_json}",
               "--engine", engine]
        kepu = measure(cmd)
        kepu_status = kepu_statuses_single(report_json, ".")
        print(f"  kepu:  {' '.join(['kepu', 'check', '-c', '…/kepu.yaml', '--format', 'text', '--format', 'json:…'])}"
              f" --engine {engine}  (exit {kepu.returncode})")
    print(f"  kepu check      {_fmt(kepu)}")

    sql = measure([PYTHON, str(Path(__file__).resolve()), "--sql-worker", str(folder), *map(str, projects)],
                  capture=True)
    if sql.returncode != 0:
        print(f"  sql worker failed:\n{sql.stderr}")
        return
    payload = json.loads(sql.stdout)
    print(f"  DuckDB SQL      {_fmt(sql)}")
    t = payload["timings"]
    print(f"         of which: imports + conversion {t['imports_and_convert']:.2f} s (xlsx via openpyxl "
          f"{t['xlsx_openpyxl']:.2f} s, GB18030→UTF-8 {t['csv_transcode']:.2f} s, yaml {t['yaml']:.2f} s), "
          f"DuckDB query {t['duckdb_query']:.2f} s")
    ratio = kepu.wall / sql.wall
    print(f"  ratio kepu / SQL: wall {ratio:.2f}×, cpu {kepu.cpu / max(sql.cpu, 1e-9):.2f}×, "
          f"tree RSS {kepu.tree_rss_mb / max(sql.tree_rss_mb, 1e-9):.2f}×")
    if scale == "province":
        met = ratio <= 1.5 and kepu.tree_rss_mb < 2048
        print(f"  target (wall ≤ 1.5× the SQL, peak memory < 2 GiB): {'met' if met else 'NOT met'}")
    agree = disagree = 0
    differences = []
    for r in payload["results"]:
        key = (r["project"], r["rule"])
        if key not in kepu_status:
            continue
        if kepu_status[key] == r["status"]:
            agree += 1
        else:
            disagree += 1
            differences.append(f"{key[0]} {key[1]}: kepu {kepu_status[key]}, sql {r['status']}")
    print(f"  same status on {agree} of {agree + disagree} (project, rule) pairs"
          + (": " + "; ".join(differences[:5]) if differences else ""))


def bench_small(repeat: int) -> None:
    print("\n== start-up ==")
    imports = [measure([PYTHON, "-c", "import kepu_rules"]) for _ in range(repeat)]
    print(f"  python -c 'import kepu_rules'          min {min(r.wall for r in imports):.3f} s, "
          f"median {statistics.median(r.wall for r in imports):.3f} s wall ({repeat} runs)")
    bare = [measure([PYTHON, "-c", "pass"]) for _ in range(repeat)]
    print(f"  python -c 'pass' (interpreter alone)   min {min(r.wall for r in bare):.3f} s, "
          f"median {statistics.median(r.wall for r in bare):.3f} s wall")
    demo = ROOT / "examples" / "demo-district"
    measure([KEPU, "check"], cwd=demo)  # writes the compiled modules, as a user's first run does
    checks = [measure([KEPU, "check"], cwd=demo) for _ in range(repeat)]
    best = min(r.wall for r in checks)
    print(f"  kepu check (examples/demo-district)    min {best:.3f} s, median "
          f"{statistics.median(r.wall for r in checks):.3f} s wall, {min(r.cpu for r in checks):.3f} s cpu, "
          f"{max(r.max_rss_mb for r in checks):.0f} MB  (target < 0.5 s: {'met' if best < 0.5 else 'NOT met'})")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # see the module's docstring
    if argv[:1] == ["--sql-worker"]:
        root = Path(argv[1])
        sql_worker([Path(p) for p in argv[2:]], root)
        return 0
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--province", action="store_true", help="also run the province scale (100 projects)")
    ap.add_argument("--only", action="append", choices=["district", "city", "province"], help="run only these scales")
    ap.add_argument("--data", type=Path, default=None, help="keep generated projects here and reuse them")
    ap.add_argument("--seed", type=int, default=20261122)
    ap.add_argument("--repeat", type=int, default=5, help="runs of the start-up measurements")
    ap.add_argument("--no-startup", action="store_true", help="skip the start-up measurements")
    ap.add_argument("--engine", choices=["auto", "python", "columnar"], default="auto",
                    help="kepu check --engine (default auto)")
    args = ap.parse_args(argv)
    scales = args.only or (["district", "city"] + (["province"] if args.province else []))
    print(f"python {sys.version.split()[0]} on {os.cpu_count()} cores; load average "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if not args.no_startup:
        bench_small(args.repeat)
    temp = None
    data = args.data
    if data is None:
        temp = tempfile.TemporaryDirectory(prefix="kepu-bench-")
        data = Path(temp.name)
    try:
        for scale in scales:
            bench_scale(scale, data, args.seed, data / "out", args.engine)
    finally:
        if temp is not None:
            temp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
