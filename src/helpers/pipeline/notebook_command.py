"""Execute one of the project's notebooks from the command line, as the Makefile does (helpers.pipeline.notebook_runner).

    python -m helpers.pipeline.notebook_command 10_youth_civic -p paper_year 2013 -p highlight NL,AT

writes the executed copy to ``report/pipeline/`` (or ``-o``); an expected failure ends in one line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from helpers.base.errors import DISK_FULL, disk_full
from helpers.pipeline.notebook_runner import NOTEBOOK_DIR, ROOT, NotebookFailed, execute, shown


def notebook_path(path: str) -> str:
    """A path given relative to the current folder, as the notebooks (run in notebooks/) must read it:
    relative to notebooks/ when it lies inside the clone (so executed notebooks do not depend on
    where the clone is), absolute otherwise; empty stays empty."""
    if not path:
        return ""
    absolute = Path(os.path.abspath(path))
    return os.path.relpath(absolute, NOTEBOOK_DIR) if absolute.is_relative_to(ROOT) else str(absolute)


def _json_or_text(value: str):
    try:
        return json.loads(value)
    except json.JSONDecodeError:
        return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute a project notebook with papermill.")
    parser.add_argument("name", help="notebook name without .ipynb, e.g. 10_youth_civic")
    parser.add_argument(
        "-p",
        "--parameter",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help="a parameter; VALUE is read as JSON when it parses (numbers, true), else as a string",
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
    parser.add_argument("-o", "--output", help="where to write the executed notebook (default: report/pipeline/)")
    args = parser.parse_args(argv)
    parameters = {key: _json_or_text(value) for key, value in args.parameter}
    parameters.update({key: notebook_path(value) for key, value in args.path_parameter})
    try:
        path = execute(args.name, parameters, args.output)
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
