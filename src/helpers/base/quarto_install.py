"""Quarto for `make env`: the build's Quarto is the PATH's, else the virtual environment's, else
quarto-cli (PyPI) installed into the virtual environment at CI's version; where that fails (quarto-cli
downloads Quarto from github.com when it is installed: no network), one line says so and the fallback
renderer builds the site, as without Quarto.

    .venv/bin/python -m helpers.base.quarto_install        (the Makefile's env rule)
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from urllib.request import Request, urlopen

# CI's Quarto (.github/workflows/*.yml), environment.yml's quarto and quarto-cli's version (the only
# Quarto 1.11 on PyPI): tests/test_environment.py fails when they disagree
QUARTO_VERSION = "1.11.9"
QUARTO_RELEASE = f"https://github.com/quarto-dev/quarto-cli/releases/tag/v{QUARTO_VERSION}"


def installed_version() -> str | None:
    """The version of quarto-cli in this Python's environment, None when it is not installed."""
    try:
        return metadata.version("quarto-cli")
    except metadata.PackageNotFoundError:
        return None


def pip_install(requirement: str) -> tuple[bool, str]:
    """Install `requirement` into this Python's environment without its dependencies (quarto-cli asks
    for the `jupyter` metapackage, which the build does not use); (whether it worked, what went wrong)."""
    try:  # quarto-cli's set-up downloads Quarto from github.com: ask first (without network, in a second, not 25)
        urlopen(Request(QUARTO_RELEASE, method="HEAD"), timeout=10).close()
    except OSError as exc:
        return False, f"ERROR: github.com cannot be reached ({getattr(exc, 'reason', exc)})"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", requirement],
        capture_output=True,
        text=True,
    )
    return done.returncode == 0, done.stdout + done.stderr


def why_not(output: str) -> str:
    """The line of pip's output that says why the install failed (quarto-cli's own, where it printed one)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    said = [line for line in lines if "Error downloading Quarto" in line] or [
        line for line in lines if line.startswith("ERROR")
    ]
    return (said or lines or ["no reason given"])[-1].removeprefix("ERROR: ")[:200]


def ensure_quarto(venv: Path, *, install=pip_install, say=print) -> str | None:
    """The quarto the build will use (the PATH's first, then `venv`'s), installing quarto-cli into
    `venv` when neither is there at QUARTO_VERSION; None, said in one line, when there is none."""
    on_path = shutil.which("quarto")
    if on_path:
        return on_path
    in_venv = shutil.which("quarto", path=str(Path(venv) / "bin"))
    if in_venv and installed_version() == QUARTO_VERSION:
        return in_venv
    worked, output = install(f"quarto-cli=={QUARTO_VERSION}")
    in_venv = shutil.which("quarto", path=str(Path(venv) / "bin"))
    if worked and in_venv:
        return in_venv
    kept = (
        f"the Quarto of quarto-cli {installed_version()} in {venv} stays in use"
        if in_venv
        else "the fallback renderer builds the site, without the PDF (docs/building.md)"
    )
    say(f"Quarto {QUARTO_VERSION} not installed (quarto-cli downloads it from github.com: {why_not(output)}): {kept}")
    return in_venv


if __name__ == "__main__":
    ensure_quarto(Path(sys.prefix))
