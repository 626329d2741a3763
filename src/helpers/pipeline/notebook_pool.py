"""A pool of workers that each keep one kernel, for the notebooks of a build (helpers.pipeline.pages)."""

from __future__ import annotations

import contextlib
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Callable

from helpers.base.errors import DISK_FULL, disk_full
from helpers.pipeline.notebook_runner import NotebookFailed, execute, shown


def _execute_one(job: tuple[str, dict, Path]) -> tuple[Path, str | None]:
    name, parameters, output = job
    try:
        return execute(name, parameters, output), None
    except NotebookFailed as exc:
        return output, str(exc)
    except OSError as exc:
        if not disk_full(exc):
            raise
        return output, f"{name}: {DISK_FULL}"


def execute_jobs(
    work: list[tuple[str, dict, Path]], jobs: int, on_done: Callable[[int, str | None], None] | None = None
) -> list[str]:
    """Run notebooks (name, parameters, output) in `jobs` worker processes, each keeping one kernel for all the
    notebooks it runs; print progress as each finishes, with the time left once every worker has paid its
    kernel's start, and tell `on_done` (the notebook's index in `work`, its error or None). Returns the error
    messages (empty when all succeeded). One notebook runs here, in this process's kernel (started ahead, maybe)."""
    errors, workers, warm = [], max(1, min(jobs, len(work))), None
    with ProcessPoolExecutor(max_workers=workers) if len(work) > 1 else contextlib.nullcontext() as pool:
        results = pool.map(_execute_one, work) if pool else map(_execute_one, work)
        for done, ((name, _, _), (path, error)) in enumerate(zip(work, results), start=1):
            eta, now = "", time.monotonic()
            if done == workers:
                warm = now
            elif warm is not None and done < len(work):
                eta = f" (about {(now - warm) / (done - workers) * (len(work) - done):.0f} s left)"
            if on_done is not None:
                on_done(done - 1, error)
            if error:
                errors.append(error)
                print(f"[{done}/{len(work)}] failed {shown(path)}: {error}", file=sys.stderr, flush=True)
            else:
                print(f"[{done}/{len(work)}] executed {name} -> {shown(path)}{eta}", flush=True)
    return errors
