"""Running the pipeline the way the README does: `make ...` in a clean clone of the repository.

The clone reuses this checkout's environment (PYTHON=...) instead of building its own, and
PYTHONPATH makes the kernel import the clone's package. CI itself starts from a clean clone
and builds the environment with `make test`, which covers the set-up step.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def clean_clone(destination):
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(destination)], check=True)
    return destination


def run_make(clone, *args, check=True, quarto=False, **environment):
    """Run make in the clone; EUROSTAT_MIRROR only when given as an argument.

    The site is built with the fallback renderer unless `quarto` is true (then with the quarto
    on the PATH): the tests of each renderer choose theirs, whatever this machine has.
    """
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), **environment}
    env.pop("EUROSTAT_MIRROR", None)
    if not quarto:
        env["QUARTO"] = ""
    result = subprocess.run(
        ["make", "--no-print-directory", "-C", str(clone), *args, f"PYTHON={sys.executable}", "ENV_STAMP="],
        env=env, capture_output=True, text=True, timeout=1200,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under a folder, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*")) if path.is_file()
    }
