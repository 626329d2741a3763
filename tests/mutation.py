"""Mutation testing with mutmut: run it, then print each module's score and its surviving mutants.

    .venv/bin/python tests/mutation.py [--max-children N] [--rerun-survivors] [--report-only] [PATTERN ...]

mutmut (pinned in requirements.txt, configured in pyproject.toml's [tool.mutmut]) copies src/ to mutants/,
makes every mistake it knows in the modules named there (one mutant per changed operator, constant, string,
argument...), and runs, for each mutant, the unit tests that reach the mutated function, fastest first, until
one fails. Results are kept in mutants/: a later run tests only the functions that changed since.
`--rerun-survivors` tests again every mutant that survived (after a new test), or with PATTERNs only the
survivors they match; PATTERNs alone (fnmatch, e.g. 'helpers.store.tidy.*') test every mutant they match again.

A mutant is *killed* when a test failed (or ran past mutmut's time limit: the mistake made the code loop).
Every other mutant must be named in docs/tests.md ("Surviving mutants") with why it changes nothing a reader
or a later stage sees. Exit status 1 when a module scores below --min-score (90%), when a survivor is not
named there, or when the run left mutants untested.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "tests.md"
KILLED = {"killed", "timeout", "caught by type check"}
MUTANT_NAME = re.compile(r"`(helpers\.[\w.]+__mutmut_\d+)`")


def configured_modules() -> list[str]:
    """The files [tool.mutmut] mutates (only_mutate's patterns, resolved against src/)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    files = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "src").rglob("*.py"))
    return [f for f in files if any(fnmatch.fnmatch(f, pattern) for pattern in config["only_mutate"])]


def status_words() -> dict:
    from mutmut.stats import status_by_exit_code  # mutmut's own reading of a worker's exit code

    return status_by_exit_code


def results(modules: list[str]) -> dict[str, dict[str, str]]:
    """module -> {mutant name: status}, from the .meta files mutmut writes beside each mutated copy."""
    words = status_words()
    found = {}
    for module in modules:
        meta = ROOT / "mutants" / f"{module}.meta"
        if not meta.exists():
            found[module] = {}
            continue
        exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
        found[module] = {name: words[code] for name, code in sorted(exit_codes.items(), key=natural)}
    return found


def natural(item):
    name = item[0] if isinstance(item, tuple) else item
    stem, _, number = name.rpartition("__mutmut_")
    return stem, int(number) if number.isdigit() else 0


def explained() -> set[str]:
    """The survivors docs/tests.md names (its "Surviving mutants" section) with why they change nothing."""
    text = DOCS.read_text()
    start = text.find("## Surviving mutants")
    return set(MUTANT_NAME.findall(text[start:])) if start >= 0 else set()


def refresh_data_files(src: Path, copy: Path) -> list[str]:
    """The files of src/ that are not Python (the catalogue's TOML) copied again into mutmut's copy where they
    changed: mutmut copies them once, so the tests would read an old registry. Returns those copied."""
    copied = []
    for path in sorted(p for p in src.rglob("*") if p.is_file() and p.suffix not in (".py", ".pyc")):
        target = copy / path.relative_to(src)
        if target.parent.is_dir() and (not target.exists() or target.read_bytes() != path.read_bytes()):
            shutil.copyfile(path, target)
            copied.append(path.relative_to(src).as_posix())
    return copied


def run_mutmut(patterns: list[str], max_children: int) -> int:
    refresh_data_files(ROOT / "src", ROOT / "mutants" / "src")
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(max_children), *patterns]
    print("$", " ".join(command), flush=True)
    # mutmut draws a progress line many times a second: keep its last state only
    process = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    tail = (process.stdout + process.stderr).replace("\r", "\n").strip().splitlines()
    lines = [line for line in tail if line.strip() and not line.lstrip().startswith(("⠋", "⠙", "⠹", "⠸", "⠼"))]
    print("\n".join(lines[-8:]), flush=True)
    return process.returncode


def report(modules: list[str], min_score: float) -> int:
    found = results(modules)
    known = explained()
    failed = False
    rows = []
    print("\nmodule                                     killed / total      score")
    for module, statuses in found.items():
        counts = Counter(statuses.values())
        total = len(statuses)
        if not total:
            print(f"{module.removeprefix('src/'):42} no mutants (nothing mutmut can change)")
            continue
        killed = sum(counts[s] for s in KILLED)
        score = 100.0 * killed / total if total else 0.0
        rows.append((module, killed, total, score))
        low = score < min_score
        failed |= low
        mark = "  BELOW %g%%" % min_score if low else ""
        print(f"{module.removeprefix('src/'):42} {killed:6} / {total:<6} {score:6.1f}%{mark}")
    untested = [(m, n, s) for m, st in found.items() for n, s in st.items() if s == "not checked"]
    survivors = [(m, n, s) for m, st in found.items() for n, s in st.items() if s not in KILLED | {"not checked"}]
    if untested:
        failed = True
        print(f"\n{len(untested)} mutants not tested yet (an interrupted run): run again")
    print(f"\nsurvivors: {len(survivors)} ({sum(n in known for _, n, _ in survivors)} explained in docs/tests.md)")
    for module, name, status in survivors:
        why = "explained in docs/tests.md" if name in known else "NOT EXPLAINED: a test, or a reason in docs/tests.md"
        failed |= name not in known
        print(f"  {name:70} {status:10} {why}")
    stale = sorted(known - {n for _, n, _ in survivors}, key=natural)
    if stale:
        print("\nnamed in docs/tests.md but no longer surviving (the code or the tests changed): " + ", ".join(stale))
    print("\n`mutmut show NAME` prints a mutant's diff; `mutmut tests-for-mutant NAME` the tests that reach it.")
    return 1 if failed else 0


def survivors_matching(found: dict[str, dict[str, str]], patterns: list[str]) -> list[str]:
    """The surviving mutants' names (every module's), only those a pattern matches when patterns are given."""
    survivors = [n for statuses in found.values() for n, s in statuses.items() if s not in KILLED | {"not checked"}]
    return [n for n in survivors if not patterns or any(fnmatch.fnmatch(n, p) for p in patterns)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("patterns", nargs="*", help="mutant names or fnmatch patterns to (re)test")
    parser.add_argument("--max-children", type=int, default=2, help="mutants tested at once (default 2)")
    parser.add_argument("--rerun-survivors", action="store_true", help="test every surviving mutant again")
    parser.add_argument("--report-only", action="store_true", help="print the last run's scores, run nothing")
    parser.add_argument("--min-score", type=float, default=90.0, help="lowest score a module may have (percent)")
    args = parser.parse_args(argv)
    modules = configured_modules()
    if not args.report_only:
        patterns = list(args.patterns)
        if args.rerun_survivors:
            # survivors only (those the patterns match, if any): the mutants not tested yet ("not checked") are the
            # run's own business, and would be every mutant of every module not run yet
            patterns = survivors_matching(results(modules), patterns)
            if not patterns:
                print("no surviving mutant to test again")
                return report(modules, args.min_score)
        code = run_mutmut(patterns, args.max_children)
        if code not in (0, 1):  # mutmut exits 0 after a run, 1 when its own checks stop it (clean tests failing)
            print(f"mutmut stopped with exit status {code}")
            return code
    return report(modules, args.min_score)


if __name__ == "__main__":
    sys.exit(main())
