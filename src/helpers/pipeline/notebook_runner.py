"""Execute the project's notebooks with papermill, in the project's kernel: one from the command line (as the Makefile
does), or a build's pages in a pool of kernels (helpers.pipeline.pages).

    python -m helpers.pipeline.notebook_runner 10_youth_civic -p paper_year 2013 -p highlight NL,AT

writes the executed copy to ``report/pipeline/`` (or ``-o``) without papermill's timestamps and durations; an expected
failure (unknown country, missing series, ...) ends in one line naming the cause. The kernels run in ``notebooks/``,
told they run for a build: docs/building.md, "Re-run a notebook in JupyterLab"."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import functools
import json
import os
import queue
import re
import shutil
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any, Callable, cast

from helpers.base.atomic_files import replace_folder, write_text_atomic
from helpers.base.errors import DISK_FULL, ReportError, disk_full
from helpers.base.jupyter_imports import import_papermill, skip_unused_iri_grammar
from helpers.publish import BUILD_VARIABLE
from helpers.render.cell_options import write_cell_options

skip_unused_iri_grammar()  # before papermill imports nbformat: about 2 s less per process

KERNEL_NAME = "oecd-social-media"
ENGINE_NAME = "reused-kernel"
ROOT = Path(__file__).resolve().parents[3]
NOTEBOOK_DIR = ROOT / "notebooks"
REPORT_DIR = ROOT / "report"
EXECUTED_DIR = REPORT_DIR / "pipeline"
BUILD_LOG = ROOT / "build.log"


class NotebookFailed(Exception):
    """A notebook stopped on an expected error; the message is for people."""


def _expected_errors(error: type[BaseException] = ReportError) -> set[str]:
    """The names of the errors the notebooks raise on purpose (helpers.base.errors): shown as one line."""
    return {error.__name__}.union(*(_expected_errors(sub) for sub in error.__subclasses__()))


@functools.cache  # opened once, kept open for the process
def kernel_log():
    """The file the kernels' stdout and stderr go to (BUILD_LOG, or $OECD_BUILD_LOG)."""
    path = Path(os.environ.get("OECD_BUILD_LOG", BUILD_LOG))
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "a", encoding="utf-8")  # noqa: SIM115


def kernel_environment() -> dict[str, str]:
    """The environment of the build's kernels: this process's, and BUILD_VARIABLE=1 (for them only,
    never for this process: a JupyterLab started from here must not inherit it)."""
    return {**os.environ, BUILD_VARIABLE: "1"}


def start_kernel(kernel_name: str = KERNEL_NAME):
    """Start a kernel for the build, its own messages in the build log (docs/building.md, "Logs"); the caller
    shuts it down."""
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name=kernel_name)
    km.start_kernel(cwd=str(NOTEBOOK_DIR), env=kernel_environment(), stdout=kernel_log(), stderr=kernel_log())
    return km


def prestart_kernel(notebook: str, kernel_name: str = KERNEL_NAME) -> None:
    """Start this process's kernel now and have it import the modules of ours `notebook` imports (pandas,
    matplotlib... with them), without waiting for either, while this process imports papermill: the next
    notebook run here uses it (register_engine's engine keeps one kernel per process), and finds the modules
    loaded (the reset before each notebook empties the namespace, not the modules)."""
    from helpers.pipeline.prerequisites import modules, notebook_imports

    global _prestarted
    _prestarted = True
    km = start_kernel(kernel_name)
    client = km.client()
    client.start_channels()
    ours = sorted(notebook_imports(NOTEBOOK_DIR / f"{notebook}.ipynb") & modules().keys())
    # queued: the kernel runs it first
    asked = client.execute(f"import {', '.join(ours) or 'sys'}", silent=True, store_history=False)
    atexit.register(km.shutdown_kernel, now=True)
    register_engine()  # papermill's imports, while the kernel starts
    from papermill.engines import papermill_engines

    engine = papermill_engines.get_engine(ENGINE_NAME)
    engine.kernel_manager, engine.warming = km, (client, asked)


_prestarted = False  # whether this process has started its kernel (the first notebook run here does)


@functools.cache  # once per process
def register_engine() -> None:
    """A papermill engine that keeps one kernel per process for every notebook (its start and imports cost about 3 s).
    Each notebook starts from an empty namespace (``%reset -f`` without its full garbage collection: 60 ms a notebook),
    and `scrub` renumbers execution counts, so a notebook's output does not depend on what the kernel ran before."""
    from nbclient.util import ensure_async, run_sync

    import_papermill()  # first: without its HDFS handler's imports
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import remove_args

    class ResettingClient(PapermillNotebookClient):
        """Empties the kernel's namespace before the notebook's first cell, through the client
        nbclient opens anyway (a client of its own would wait another 0.2 s for the kernel)."""

        async def async_start_new_kernel_client(self):
            client = await super().async_start_new_kernel_client()
            reset = "get_ipython().reset(new_session=False)"  # %reset -f, less its gc.collect()
            await ensure_async(
                client.execute_interactive(
                    reset, store_history=False, output_hook=lambda msg: None, timeout=self.startup_timeout
                )
            )
            return client

        # papermill opens the client through nbclient's synchronous wrapper, made from the base class's method
        start_new_kernel_client = run_sync(async_start_new_kernel_client)

    class ReusedKernelEngine(NBClientEngine):
        kernel_manager = None
        warming = None  # (client, request) of prestart_kernel's imports, waited for before a notebook's client

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, start_timeout=60, execution_timeout=None, **kwargs):
            km = cls.kernel_manager
            if km is None or not km.is_alive() or km.kernel_name != kernel_name:
                if km is not None:
                    km.shutdown_kernel(now=True)
                cls.warming = None  # a head start on a kernel shut down (or never started): nothing to wait for
                km = cls.kernel_manager = start_kernel(kernel_name)
                atexit.register(km.shutdown_kernel, now=True)
            if cls.warming is not None:  # two clients at once on one kernel lost an output now and then: one at a time
                (client, asked), cls.warming = cls.warming, None
                with contextlib.suppress(queue.Empty):  # no answer to the warm-up imports: only a head start, lost
                    while client.get_shell_msg(timeout=start_timeout)["parent_header"].get("msg_id") != asked:
                        pass
                client.stop_channels()
            # as NBClientEngine's, on this kernel (log_output and the output files pass on in kwargs)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            limits = {"timeout": execution_timeout, "startup_timeout": start_timeout}
            return ResettingClient(nb_man, km=km, kernel_name=kernel_name, **limits, **kwargs).execute()

    papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)


def hoist_computed_title(notebook: dict) -> dict:
    """Make a computed title (a Markdown output ``# Portugal (PT)``, a country page's) the notebook's first
    cell, in place of the output: renderers take a page's title from its first Markdown cell."""
    cells = notebook.get("cells", [])
    if any(c["cell_type"] == "markdown" and re.search(r"^# ", "".join(c["source"]), re.M) for c in cells):
        return notebook
    for cell in cells:
        for output in cell.get("outputs", []):
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            if re.fullmatch(r"# [^\n]+\n?", markdown):
                cell["outputs"].remove(output)
                title = {"cell_type": "markdown", "id": "computed-title", "metadata": {}, "source": [markdown.strip()]}
                cells.insert(0, title)
                return notebook
    return notebook


def scrub(notebook: dict) -> dict:
    """Remove what changes from run to run: timestamps, durations, papermill's environment."""
    meta = notebook.get("metadata", {})
    for key in ("start_time", "end_time", "duration", "environment_variables", "input_path", "output_path", "version"):
        meta.get("papermill", {}).pop(key, None)
    if meta.get("widgets"):
        del meta["widgets"]
    count = 0
    for cell in notebook.get("cells", []):
        metadata = cell.get("metadata", {})
        if cell.get("cell_type") == "code" and cell.get("execution_count") is not None:
            count += 1  # renumbered: a reused kernel keeps counting across notebooks
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
        if "injected-parameters" in metadata.get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        metadata.pop("execution", None)
        # an empty list says nothing, and Quarto writes it as a second attribute (data-tags) beside
        # data-execution_count, in an order that changes from render to render
        if metadata.get("tags") == []:
            del metadata["tags"]
        if metadata.get("papermill"):
            for key in ("start_time", "end_time", "duration", "exception", "status"):
                metadata["papermill"].pop(key, None)
            if not metadata["papermill"]:
                del metadata["papermill"]
    return notebook


def execute(name: str, parameters: dict | None = None, output: Path | None = None) -> Path:
    """Run ``notebooks/<name>.ipynb`` with `parameters`; return the executed copy's path."""
    source = NOTEBOOK_DIR / f"{name}.ipynb"
    if not source.exists():
        known = ", ".join(sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")))
        raise NotebookFailed(f"no notebook {name!r}; the notebooks are {known}")
    if not _prestarted:  # the kernel starts and imports while papermill is imported here
        prestart_kernel(name)
    papermill = import_papermill()
    from papermill.exceptions import PapermillExecutionError

    register_engine()
    output = Path(output) if output else EXECUTED_DIR / f"{name}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_scratch(output)
    # papermill writes as it goes: the scratch copy lives outside the report, so a killed run
    # leaves nothing there that a site build could publish
    with tempfile.TemporaryDirectory(prefix="oecd-social-media-") as scratch_dir:
        scratch = Path(scratch_dir) / output.name
        try:
            papermill.execute_notebook(
                str(source),
                str(scratch),
                # sorted: the injected cell must not depend on the order the parameters were given in
                parameters=dict(sorted((parameters or {}).items())),
                kernel_name=KERNEL_NAME,
                cwd=str(NOTEBOOK_DIR),
                progress_bar=False,
                log_output=False,
                engine_name=ENGINE_NAME,
                # written once when done, not after every cell (each write validates and serialises the whole
                # notebook, charts included: about 0.5 s per notebook); a failed run's scratch copy is never read
                request_save_on_cell_execute=False,
            )
        except PapermillExecutionError as exc:
            if exc.ename in _expected_errors():
                raise NotebookFailed(f"{name}: {exc.evalue}") from None
            if exc.ename == "OSError" and "No space left on device" in exc.evalue:
                raise NotebookFailed(f"{name}: {DISK_FULL}") from None
            raise
        notebook = json.loads(scratch.read_text(encoding="utf-8"))
    # the executed copy replaces the old one only when the run succeeded
    executed = scrub(write_cell_options(hoist_computed_title(notebook)))
    write_text_atomic(output, json.dumps(executed, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return output


def remove_stale_scratch(output: Path) -> None:
    """Scratch copies that earlier versions kept beside the output (``.<stem>.<random>.ipynb``)."""
    for stale in output.parent.glob(f".{output.stem}.*.ipynb"):
        stale.unlink(missing_ok=True)


def shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def _execute_one(job: tuple[str, dict, Path | None]) -> tuple[Path | None, str | None]:
    """Run one notebook (name, parameters, output); return its executed copy and its error (one line) or None."""
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
    """Run notebooks (name, parameters, output) in `jobs` worker processes (one alone: here); print progress
    as each finishes, with the time left once every worker has paid its kernel's start, and tell `on_done` (its
    index in `work`, its error or None). Returns the error messages."""
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
                print(f"[{done}/{len(work)}] failed {shown(cast(Path, path))}: {error}", file=sys.stderr, flush=True)
            else:
                print(f"[{done}/{len(work)}] executed {name} -> {shown(cast(Path, path))}{eta}", flush=True)
    return errors


def keep_previous(report_dir: Path = REPORT_DIR) -> Path:
    """Copy the executed notebooks to ``<report-dir>/.previous`` (the baseline of `make diff`), beside the old
    baseline first and then swapped in whole, so that a failure (a full disk) leaves the old baseline as it was."""
    previous, fresh = report_dir / ".previous", report_dir / ".previous.new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        for path in sorted(report_dir.rglob("*.ipynb")):
            relative = path.relative_to(report_dir)
            if relative.parts[0] not in (".previous", ".previous.new", "pipeline") and relative.name[0] != ".":
                (fresh / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, fresh / relative)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    fresh.mkdir(exist_ok=True)
    return replace_folder(fresh, previous)


def notebook_path(path: str) -> str:
    """A path given relative to the current folder, as the notebooks read it (see -P's help); empty stays empty."""
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
    pairs: dict[str, Any] = {"nargs": 2, "action": "append", "default": []}
    value_help = "a parameter; VALUE is read as JSON when it parses (numbers, true), else as a string"
    parser.add_argument("-p", "--parameter", **pairs, metavar=("NAME", "VALUE"), help=value_help)
    path_help = "a parameter that is a path, given relative to the current folder: passed relative to notebooks/ "
    path_help += "(where the notebooks run) inside the clone, else absolute"
    parser.add_argument("-P", "--path-parameter", **pairs, metavar=("NAME", "PATH"), help=path_help)
    parser.add_argument("-o", "--output", help="where to write the executed notebook (default: report/pipeline/)")
    args = parser.parse_args(argv)
    parameters = {key: _json_or_text(value) for key, value in args.parameter}
    parameters.update({key: notebook_path(value) for key, value in args.path_parameter})
    path, error = _execute_one((args.name, parameters, args.output))
    if error:  # an expected failure, in one line
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"executed {args.name} -> {shown(cast(Path, path))}")  # executed: its path
    return 0


if __name__ == "__main__":
    sys.exit(main())
