"""The benchmark of the whole build (`make bench`), on the synthetic mirror, in one run.

Measures, each `--repeat` times (median, min, max):
  1. cold build: `make data`, `make notebooks`, `make report` in a fresh clone (store, every notebook,
     every country, render: what `make report` does in one go), each stage timed;
  2. the naive way, same work: papermill's command line once per notebook, serially, no reuse;
  3. no-op rebuild: `make report` again with nothing changed;
  4. one country page rebuilt: `make country COUNTRY=PT` (its notebook run again, its page and the
     country index rendered; a parameter change goes through `make report`, since `make country`
     refuses to mix parameters on one site), from cold: no process is left from an earlier call;
  5. parsing the mirror's files with the project's parser against the `eurostat` package's parser on the
     same bytes (all files, and the largest alone), two ways: alternating in this process, and each
     parser in a fresh process of its own (where neither pays for the memory the other left behind);
  6. peak memory of each stage of the cold build (resident memory of the whole process tree, sampled);
  7. a build killed after 26 of its notebooks (--kill-at), then `make report` again: how many run again;
  8. with Quarto on the PATH: the whole site and the PDF, a no-op build, `make country COUNTRY=PT` (its
     brief included), and whether the PDF is rebuilt when (and only when) a page it holds changed;
  9. the first set-up: `make env` in a fresh clone (registries warm).
Prints a table and the ratios, checks the targets, and writes JSON to bench/results/.
Never part of `make test`: timings are measured here, not asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TARGETS = {  # name: (measure, comparison, limit); issue #35's table (and #22's where #35 keeps them)
    "cold build (fallback) at most 63 s": ("cold build", "<=", 63.0),
    "cold build (fallback) at least 6x faster than the naive loop": ("ratio naive/cold", ">=", 6.0),
    "Quarto's render of the whole site (and the PDF) at most 50 s": (
        "Quarto: render of the whole site and the PDF",
        "<=",
        50.0,
    ),
    "make country COUNTRY=PT from cold, fallback, at most 4 s": (
        "one country page rebuilt (make country COUNTRY=PT, cold)",
        "<=",
        4.0,
    ),
    "make country COUNTRY=PT from cold, Quarto, its brief included, at most 9 s": (
        "Quarto: make country COUNTRY=PT, its brief included (cold)",
        "<=",
        9.0,
    ),
    "no-op make report, fallback, at most 0.5 s": ("no-op rebuild", "<=", 0.5),
    "no-op make report, Quarto, at most 0.5 s": ("Quarto: no-op make report", "<=", 0.5),
    "the PDF rebuilt only when a page it holds changed": (
        "Quarto: PDF rebuilt only when a page it holds changed",
        "==",
        1.0,
    ),
    "first set-up (make env, fresh clone) at most 60 s": ("first set-up (make env in a fresh clone)", "<=", 60.0),
    "peak memory of any stage under 1 GiB": ("peak memory (MiB)", "<", 1024.0),
    "after a build killed half-way, only the unfinished run again": (
        "killed build: notebooks run again beyond the unfinished",
        "<=",
        0.0,
    ),
    "parser at least 5x the eurostat package's, same bytes, alternating in one process": (
        "ratio package/ours, alternating",
        ">=",
        5.0,
    ),
    "parser at least 5x the eurostat package's, same bytes, each in its own process": (
        "ratio package/ours, own process",
        ">=",
        5.0,
    ),
}


def process_table() -> tuple[dict[int, list[int]], dict[int, int]]:
    """Every process's children and resident memory (KiB), from `ps` (POSIX options: Linux's procps and
    macOS's ps alike; macOS has no /proc)."""
    listing = subprocess.run(
        ["ps", "-A", "-o", "pid=", "-o", "ppid=", "-o", "rss="], capture_output=True, text=True, check=True
    ).stdout
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) == 3 and all(field.isdigit() for field in fields):
            pid, ppid, kib = map(int, fields)
            children.setdefault(ppid, []).append(pid)
            rss[pid] = kib
    return children, rss


def tree_rss_kib(root_pid: int) -> int:
    """Resident memory of a process and all its descendants."""
    children, rss = process_table()
    return sum(rss.get(pid, 0) for pid in [root_pid, *descendants(root_pid, children)])


def run(command: list[str], cwd: Path, env: dict, *, measure_memory: bool = False) -> tuple[float, float]:
    """Run a command; return (seconds, peak MiB of its process tree, or 0)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        if measure_memory:
            peak = max(peak, tree_rss_kib(process.pid))
        time.sleep(0.1)
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"benchmark step failed: {' '.join(command)}\n{process.stderr.read()[-2000:]}")
    return seconds, peak / 1024


def clone(workdir: Path, name: str) -> Path:
    target = workdir / name
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    return target


def make(target_dir: Path, *args: str) -> list[str]:
    return ["make", "--no-print-directory", "-C", str(target_dir), *args, f"PYTHON={PYTHON}", "ENV_STAMP="]


def environment(clone_dir: Path) -> dict:
    # the fallback renderer for the builds compared with the naive loop (the same work); Quarto's
    # render is measured on its own (quarto_render)
    # `python3` is the environment's Python, as in a clone with its .venv (whose Python the Makefile
    # uses for the settings check): the bench's clones have none, and `python3` here may be a pyenv
    # shim (0.2-0.3 s a call, four calls in a no-op build)
    env = {
        **os.environ,
        "PYTHONPATH": str(clone_dir / "src"),
        "QUARTO": "",
        "PATH": f"{Path(PYTHON).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("EUROSTAT_MIRROR", None)
    return env


def descendants(pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    """Every process below `pid` (the kernels start sessions of their own: a process group is not enough)."""
    children = process_table()[0] if children is None else children
    found, stack = [], [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.append(child)
            stack.append(child)
    return found


def killed_build(built: Path, env: dict, kill_at: int = 26) -> dict[str, float]:
    """Every notebook out of date (the store touched, as after a refresh), `make report` killed once
    `kill_at` notebooks have finished, then `make report` again: how many run again, and how long."""
    import re
    import signal

    # every page out of date: the record of what each was made from gone (as after a refresh with new data)
    (built / "report" / "pages.json").unlink()
    process = subprocess.Popen(
        make(built, "report"),
        cwd=built,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
    )
    total = 0
    for line in process.stdout:
        done = re.match(r"\[(\d+)/(\d+)\] executed", line)
        if done and int(done.group(1)) >= kill_at:
            total = int(done.group(2))
            for pid in [process.pid, *descendants(process.pid)]:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            break
    process.wait()
    start = time.perf_counter()
    again = subprocess.run(make(built, "report"), cwd=built, env=env, capture_output=True, text=True, check=True)
    seconds = time.perf_counter() - start
    ran = len(re.findall(r"\] executed ", again.stdout))
    return {
        "notebooks in the build": total,
        "killed after": kill_at,
        "run again": ran,
        "beyond the unfinished": ran - (total - kill_at),
        "seconds": seconds,
    }


def quarto_measures(built: Path) -> dict[str, float] | None:
    """With Quarto, on a clone built with the fallback: the whole site and the PDF rendered, a no-op
    `make report`, `make country COUNTRY=PT`, and the PDF when one page changed (a parameter of the
    youth page) or only a country page (`make country`: the PDF must stay as it is). None without Quarto."""
    quarto = shutil.which("quarto")
    if not quarto:
        return None
    env = {**environment(built), "QUARTO": quarto}
    pdf = built / "report" / "_site" / "article.pdf"
    shutil.rmtree(built / "report" / "_site")
    measures = {"render of the whole site and the PDF": run(make(built, "report"), built, env)[0]}
    measures["no-op make report"] = run(make(built, "report"), built, env)[0]
    before = pdf.stat().st_mtime_ns
    measures["make country COUNTRY=PT, its brief included (cold)"] = run(
        make(built, "country", "COUNTRY=PT"), built, env
    )[0]
    country_left_pdf = pdf.stat().st_mtime_ns == before
    measures["one page's parameter changed (YOUTH_HIGHLIGHT): notebook, page, article, PDF"] = run(
        make(built, "report", "YOUTH_HIGHLIGHT=NL,DE"), built, env
    )[0]
    page_rebuilt_pdf = pdf.stat().st_mtime_ns != before
    run(make(built, "report"), built, env)  # back to the defaults
    measures["PDF rebuilt only when a page it holds changed"] = float(country_left_pdf and page_rebuilt_pdf)
    return measures


def first_setup(workdir: Path) -> float:
    """`make env` in a fresh clone: the virtual environment from the pinned requirements, the kernel."""
    fresh = clone(workdir, "setup")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHON", "VENV", "ENV_STAMP", "VIRTUAL_ENV")}
    return run(["make", "--no-print-directory", "-C", str(fresh), "env"], fresh, env)[0]


def naive_build(clone_dir: Path, mirror: Path) -> float:
    """The same work with papermill's command line, one process per notebook, serially, no reuse of a kernel;
    then the project's own verdicts step (before the pages, which read them) and site render (after each
    executed notebook is given the cell options and the scrub the project's runner gives it)."""
    papermill = [PYTHON, "-m", "papermill", "--kernel", "oecd-social-media", "--cwd", "notebooks", "--no-progress-bar"]
    env = environment(clone_dir)
    report = clone_dir / "report"
    from helpers.pipeline.parameters import PAGE_NOTEBOOKS  # the settings contract's pages and their notebooks

    (report / "pipeline").mkdir(parents=True, exist_ok=True)
    (report / "countries").mkdir(exist_ok=True)
    start = time.perf_counter()
    run(
        papermill
        + ["notebooks/00_fetch.ipynb", "report/pipeline/00_fetch.ipynb"]
        + ["-p", "source", "mirror"]
        + ["-p", "mirror", str(mirror)],
        clone_dir,
        env,
    )
    run(papermill + ["notebooks/01_tidy.ipynb", "report/pipeline/01_tidy.ipynb"], clone_dir, env)
    verdicts = [PYTHON, "-m", "helpers.analysis.verdicts", "--processed-dir", "data/processed"]
    run(verdicts + ["--output", "report/data/verdicts.json", "--paper-year", "2013"], clone_dir, env)
    executed = [report / f"{page}.ipynb" for page in PAGE_NOTEBOOKS]
    for page, notebook in PAGE_NOTEBOOKS.items():
        run(papermill + [f"notebooks/{notebook}.ipynb", f"report/{page}.ipynb"], clone_dir, env)
    for country in (clone_dir / "data/processed/countries.txt").read_text().split():
        executed.append(report / "countries" / f"{country}.ipynb")
        run(
            papermill
            + ["notebooks/30_country_profile.ipynb", str(executed[-1].relative_to(clone_dir))]
            + ["-p", "country", country, "-p", "output_dir", "../report/countries"],
            clone_dir,
            env,
        )
    for country in (clone_dir / "data/processed/oecd_countries.txt").read_text().split():
        executed.append(report / "countries" / f"{country}.ipynb")
        run(
            papermill
            + ["notebooks/32_oecd_country.ipynb", str(executed[-1].relative_to(clone_dir))]
            + ["-p", "country", country, "-p", "output_dir", "../report/countries"],
            clone_dir,
            env,
        )
    shape = (
        "import json, sys; from helpers.pipeline.notebook_runner import hoist_computed_title, scrub; "
        "from helpers.render.cell_options import write_cell_options\n"
        "for p in sys.argv[1:]:\n"
        "    nb = json.load(open(p)); nb = scrub(write_cell_options(hoist_computed_title(nb)))\n"
        "    open(p, 'w').write(json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + '\\n')"
    )
    run([PYTHON, "-c", shape, *map(str, executed)], clone_dir, env)
    run([PYTHON, "-m", "helpers.pipeline.site", "render", "--report-dir", "report"], clone_dir, env)
    return time.perf_counter() - start


def _parsers(mirror: Path) -> dict[str, tuple]:
    """For each of the mirror's files: (the project's parser, the eurostat package's parser), each a
    function of no argument reading the same bytes (the package's HTTP calls replaced)."""
    import eurostat
    from eurostat import eurostat as package

    from helpers.acquire.eurostat_tsv import decode_payload, parse_eurostat_tsv

    class Response:
        def __init__(self, content):
            self.content, self.ok = content, True

    def package_parser(code, payload):
        dims = decode_payload(payload, source=code).split("\t", 1)[0].split("\\")[0].split(",")  # once, untimed
        structure = ["ESTAT", "EUROSTAT", [(str(i + 1), d) for i, d in enumerate(dims)]]

        def parse():
            package.__get_dims_info__ = lambda c, **kw: structure
            package.__get_resp__ = lambda url, **kw: Response(payload)
            return eurostat.get_data(code, flags=True)

        return parse

    parsers = {}
    for path in sorted(mirror.glob("*.tsv.gz")):
        code, payload = path.name.split(".")[0], path.read_bytes()
        parsers[code] = (
            lambda code=code, payload=payload: parse_eurostat_tsv(payload, dataset=code),
            package_parser(code, payload),
        )
    return parsers


def parse_speeds(mirror: Path) -> dict[str, tuple[float, float]]:
    """Seconds to read each of the mirror's files: (the project's parser, the eurostat package's),
    on the same bytes, alternating in this process, one dataset after the other."""
    speeds = {}
    for code, (ours, theirs) in _parsers(mirror).items():
        start = time.perf_counter()
        theirs()
        package_seconds = time.perf_counter() - start
        start = time.perf_counter()
        ours()
        speeds[code] = (time.perf_counter() - start, package_seconds)
    return speeds


def parse_worker(mirror: Path, which: str, runs: int) -> None:
    """In a process of its own: one parser only, a warm-up pass, then `runs` passes over the files;
    prints {file: [seconds, ...]} as JSON."""
    parsers = {code: pair[0 if which == "ours" else 1] for code, pair in _parsers(mirror).items()}
    for parse in parsers.values():
        parse()
    seconds = {code: [] for code in parsers}
    for _ in range(runs):
        for code, parse in parsers.items():
            start = time.perf_counter()
            parse()
            seconds[code].append(time.perf_counter() - start)
    print(json.dumps(seconds))


def parse_speeds_apart(mirror: Path, runs: int) -> dict[str, dict[str, list[float]]]:
    """Each parser in a fresh process of its own (as in use: the tidy step runs the project's parser
    alone), so that neither pays for the memory the other left behind."""
    out = {}
    for which in ("ours", "package"):
        result = subprocess.run(
            [PYTHON, __file__, "--parse-worker", which, "--mirror", str(mirror), "--repeat", str(runs)],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        )
        out[which] = json.loads(result.stdout.strip().splitlines()[-1])
    return out


def summary(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples), "n": len(samples)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "eurostat-synthetic")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true", help="leave out the naive build (the slowest step)")
    parser.add_argument("--parse-only", action="store_true", help="only the parsers (no build)")
    parser.add_argument("--skip-setup", action="store_true", help="leave out `make env` in a fresh clone")
    parser.add_argument("--kill-at", type=int, default=26, help="notebooks finished when the killed build is killed")
    parser.add_argument("--results", type=Path, default=ROOT / "bench" / "results", help="where the JSON goes")
    parser.add_argument("--parse-worker", choices=["ours", "package"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.parse_worker:
        parse_worker(args.mirror.resolve(), args.parse_worker, max(7, args.repeat))
        return 0
    if not args.mirror.is_dir():
        raise SystemExit(f"no mirror at {args.mirror}: pass --mirror (e.g. demo/mirror after `make demo`)")
    mirror = args.mirror.resolve()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="bench-") as scratch:
        workdir = Path(scratch)
        cold, memory, noop, country, naive = [], [], [], [], []
        stage_times: dict[str, list[float]] = {}
        stage_memory: dict[str, list[float]] = {}
        quarto, killed, setup = None, None, None
        for i in range(0 if args.parse_only else args.repeat):
            print(f"[{i + 1}/{args.repeat}] cold build ...", flush=True)
            built = clone(workdir, f"cold-{i}")
            # the cold build stage by stage (what `make report` runs in one go), for each stage's memory
            stages = {}
            for stage, target in (("data", "data"), ("notebooks", "notebooks"), ("site", "report")):
                stages[stage] = run(
                    make(built, target, f"EUROSTAT_MIRROR={mirror}"), built, environment(built), measure_memory=True
                )
            cold.append(sum(seconds for seconds, _ in stages.values()))
            memory.append(max(peak for _, peak in stages.values()))
            for stage, (seconds, peak) in stages.items():
                stage_times.setdefault(stage, []).append(seconds)
                stage_memory.setdefault(stage, []).append(peak)
            noop.append(run(make(built, "report"), built, environment(built))[0])
            country.append(run(make(built, "country", "COUNTRY=PT"), built, environment(built))[0])
            print(
                f"    cold {cold[-1]:.1f} s ({', '.join(f'{k} {v[0]:.1f} s, {v[1]:.0f} MiB' for k, v in stages.items())}); "
                f"no-op {noop[-1]:.2f} s; make country {country[-1]:.1f} s",
                flush=True,
            )
            if i == 0:
                print(f"[{i + 1}/{args.repeat}] a build killed half-way ...", flush=True)
                killed = killed_build(built, environment(built), args.kill_at)
                print(f"    {killed}", flush=True)
                print(f"[{i + 1}/{args.repeat}] Quarto ...", flush=True)
                quarto = quarto_measures(built)
                print(f"    {quarto}", flush=True)
                if not args.skip_setup:
                    print(f"[{i + 1}/{args.repeat}] first set-up (make env in a fresh clone) ...", flush=True)
                    setup = first_setup(workdir)
                    print(f"    make env: {setup:.1f} s", flush=True)
            if not args.skip_naive:
                print(f"[{i + 1}/{args.repeat}] naive build ...", flush=True)
                naive.append(naive_build(clone(workdir, f"naive-{i}"), mirror))
        parse_speeds(mirror)  # warm-up: both parsers' first call pays one-off start-up costs
        runs = [parse_speeds(mirror) for _ in range(max(7, args.repeat))]
        ours = [sum(o for o, _ in run.values()) for run in runs]
        theirs = [sum(t for _, t in run.values()) for run in runs]
        largest = max(runs[0], key=lambda code: (mirror / f"{code}.tsv.gz").stat().st_size)
        ours_largest = [run[largest][0] for run in runs]
        theirs_largest = [run[largest][1] for run in runs]
        apart = parse_speeds_apart(mirror, max(7, args.repeat))
        n_runs = len(apart["ours"][largest])
        ours_apart = [sum(times[k] for times in apart["ours"].values()) for k in range(n_runs)]
        theirs_apart = [sum(times[k] for times in apart["package"].values()) for k in range(n_runs)]
    if cold:
        results["cold build"] = summary(cold)
    if naive:
        results["naive build (papermill CLI per notebook, serial)"] = summary(naive)
    if noop:
        results["no-op rebuild"] = summary(noop)
        results["one country page rebuilt (make country COUNTRY=PT, cold)"] = summary(country)
    if setup is not None:
        results["first set-up (make env in a fresh clone)"] = summary([setup])
    results["parse the mirror, alternating (project parser)"] = summary(ours)
    results["parse the mirror, alternating (eurostat package)"] = summary(theirs)
    results[f"parse {largest}, alternating (project parser)"] = summary(ours_largest)
    results[f"parse {largest}, alternating (eurostat package)"] = summary(theirs_largest)
    results["parse the mirror, own process (project parser)"] = summary(ours_apart)
    results["parse the mirror, own process (eurostat package)"] = summary(theirs_apart)
    results[f"parse {largest}, own process (project parser)"] = summary(apart["ours"][largest])
    results[f"parse {largest}, own process (eurostat package)"] = summary(apart["package"][largest])
    for stage in stage_times:
        results[f"  cold build stage: {stage}"] = summary(stage_times[stage])
    if memory:
        results["peak memory (MiB)"] = summary(memory)
    for stage in stage_memory:
        results[f"  peak memory, stage {stage} (MiB)"] = summary(stage_memory[stage])
    if quarto:
        for what, seconds in quarto.items():
            results[f"Quarto: {what}"] = summary([seconds])
    elif not args.parse_only:
        print("Quarto: not measured (quarto is not on the PATH; ../shared/tools/quarto/build-quarto.sh builds it)")
    if killed:
        results["killed build: notebooks run again beyond the unfinished"] = summary([killed["beyond the unfinished"]])
        results[
            f"killed build: make report after the kill ({killed['run again']} of {killed['notebooks in the build']} "
            f"run again, killed after {killed['killed after']})"
        ] = summary([killed["seconds"]])
    ratios = {
        "ratio package/ours, alternating": statistics.median(theirs) / statistics.median(ours),
        "ratio package/ours, largest dataset, alternating": statistics.median(theirs_largest)
        / statistics.median(ours_largest),
        "ratio package/ours, own process": statistics.median(theirs_apart) / statistics.median(ours_apart),
        "ratio package/ours, largest dataset, own process": statistics.median(apart["package"][largest])
        / statistics.median(apart["ours"][largest]),
    }
    if naive:
        ratios["ratio naive/cold"] = statistics.median(naive) / statistics.median(cold)

    print(f"\n{'measure':55} {'median':>9} {'min':>9} {'max':>9}")
    for name, s in results.items():
        unit = "" if "MiB" in name or "beyond" in name or "only when" in name else " s"
        print(f"{name:55} {s['median']:>8.2f}{unit} {s['min']:>8.2f}{unit} {s['max']:>8.2f}{unit}")
    for name, value in ratios.items():
        print(f"{name:55} {value:>8.2f}x")
    measured = {**{k: v["median"] for k, v in results.items()}, **ratios}
    print("\ntargets:")
    verdicts = {}
    for target, (measure, comparison, limit) in TARGETS.items():
        value = measured.get(measure)
        if value is None:
            verdicts[target] = "not measured"
        else:
            ok = {">=": value >= limit, "<=": value <= limit, "<": value < limit, "==": value == limit}[comparison]
            verdicts[target] = f"{'met' if ok else 'MISSED'} ({value:.2f})"
        print(f"  {target}: {verdicts[target]}")

    out = args.results
    out.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    record = {
        "when": stamp,
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "mirror": str(mirror),
        "repeat": args.repeat,
        "results": results,
        "ratios": ratios,
        "targets": verdicts,
    }
    (out / f"bench-{stamp}.json").write_text(json.dumps(record, indent=2) + "\n")
    print(f"\nwritten to {out / f'bench-{stamp}.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
