"""Execute the project's notebooks with papermill, the way the Makefile does.

    python -m helpers.pipeline.notebook_command 10_youth_civic -p paper_year 2013 -p highlight NL,AT

Each run uses the project's named Jupyter kernel, runs in ``notebooks/`` (so relative paths
mean the same in JupyterLab and here), and writes the executed copy to ``report/pipeline/``
with papermill's timestamps and durations removed, so that a re-run on the same data changes
no byte. An expected failure (unknown country, missing series, ...) ends in one line naming
the cause, not in a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from helpers.base.errors import DISK_FULL, disk_full
from helpers.pipeline.notebook_runner import (
    EXECUTED_DIR,
    NOTEBOOK_DIR,
    ROOT,
    NotebookFailed,
    shown,
    execute,
    parse_parameters,
)


def _job(args: argparse.Namespace) -> tuple[str, dict, Path]:
    """(name, parameters, output) from the runner's arguments: -p values read as JSON where they
    parse, -P paths as the notebooks see them (they run in notebooks/), the output by default in
    report/pipeline/."""
    parameters = parse_parameters(args.parameter)
    parameters.update({key: notebook_path(value) for key, value in args.path_parameter})
    return args.name, parameters, Path(args.output) if args.output else EXECUTED_DIR / f"{args.name}.ipynb"


def notebook_path(path: str) -> str:
    """A path given relative to the current folder, as the notebooks (run in notebooks/) must read it:
    relative to notebooks/ when it lies inside the clone (so executed notebooks do not depend on
    where the clone is), absolute otherwise; empty stays empty."""
    if not path:
        return ""
    absolute = Path(os.path.abspath(path))
    return os.path.relpath(absolute, NOTEBOOK_DIR) if absolute.is_relative_to(ROOT) else str(absolute)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Execute a project notebook with papermill.")
    parser.add_argument("name", help="notebook name without .ipynb, e.g. 10_youth_civic")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; VALUE is read as JSON when it parses, else as a string",
    )
    parser.add_argument(
        "-P",
        "--path-parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "PATH"),
        help="a parameter that is a path, given relative to the current folder: passed relative to"
        " notebooks/ (where the notebooks run) inside the clone, else absolute",
    )
    parser.add_argument("-o", "--output", help="where to write the executed notebook")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    _, parameters, output = _job(args)
    try:
        path = execute(args.name, parameters, output)
    except NotebookFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        if not disk_full(exc):
            raise
        print(f"error: {args.name}: {DISK_FULL}", file=sys.stderr)
        return 1
    print(f"executed {args.name} -> {shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
