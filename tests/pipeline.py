"""Running the pipeline the way the README does: `make ...` in a clean clone of the repository.

The clone reuses this checkout's environment (PYTHON=...) instead of building its own, and
PYTHONPATH makes the kernel import the clone's package. CI itself starts from a clean clone
and builds the environment with `make test`, which covers the set-up step.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def clean_clone(destination):
    """A clone of this checkout's HEAD, with its uncommitted changes and new files on top: the tree
    under test is the one the kernels import (this checkout's package is installed in editable
    mode). CI's checkout is clean, so there it is HEAD itself."""
    import shutil

    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(destination)], check=True)
    changes = subprocess.run(
        ["git", "-C", str(ROOT), "diff", "HEAD", "--binary"], capture_output=True, check=True
    ).stdout
    if changes:
        subprocess.run(["git", "-C", str(destination), "apply", "--whitespace=nowarn"], input=changes, check=True)
    untracked = (
        subprocess.run(
            ["git", "-C", str(ROOT), "ls-files", "--others", "--exclude-standard", "-z"],
            capture_output=True,
            check=True,
        )
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, untracked):
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, destination / name)
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
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"make {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under a folder, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def lock_is_taken(path: Path) -> bool:
    """Whether some build holds the build lock on `path` (helpers.pipeline.build_lock): a fresh open cannot take it."""
    try:
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def render_one_country(clone: Path, code: str, quarto: str = "") -> None:
    """The country page alone (what `make country` runs), without make's data step; with `quarto` (a program),
    Quarto's render, else the fallback's."""
    command = [sys.executable, "-m", "helpers.pipeline.site", "country", code, "--quarto", quarto]
    environment = {**os.environ, "PYTHONPATH": str(clone / "src"), "QUARTO": quarto}
    command += ["--report-dir", "report", "--data-dir", "data"]
    subprocess.run(command, cwd=clone, check=True, capture_output=True, env=environment)
