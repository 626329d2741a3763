"""Execute the project's notebooks with papermill, the way the Makefile does.

    python -m helpers.notebooks 10_youth_civic -p paper_year 2013 -p highlight NL,AT

Each run uses the project's named Jupyter kernel, runs in ``notebooks/`` (so relative paths
mean the same in JupyterLab and here), and writes the executed copy to ``report/pipeline/``
with papermill's timestamps and durations removed, so that a re-run on the same data changes
no byte. An expected failure (unknown country, missing series, ...) ends in one line naming
the cause, not in a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from helpers.atomic_files import write_text_atomic
from helpers.errors import DISK_FULL, disk_full
from helpers.jupyter_imports import skip_unused_iri_grammar

skip_unused_iri_grammar()  # before papermill imports nbformat: about 2 s less per process

KERNEL_NAME = "oecd-social-media"
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = ROOT / "notebooks"
EXECUTED_DIR = ROOT / "report" / "pipeline"
COUNTRY_NOTEBOOK = "30_country_profile"  # one page per country; the other notebooks are pages of their own


def _expected_errors() -> set[str]:
    """The names of the errors the notebooks raise on purpose (helpers.errors): shown as one line."""
    from helpers.errors import ReportError

    names, stack = set(), [ReportError]
    while stack:
        cls = stack.pop()
        names.add(cls.__name__)
        stack.extend(cls.__subclasses__())
    return names


class NotebookFailed(Exception):
    """A notebook stopped on an expected error; the message is for people."""


ENGINE_NAME = "reused-kernel"
BUILD_LOG = ROOT / "build.log"
_kernel_log = None


def kernel_log():
    """The file the kernels' stdout and stderr go to (BUILD_LOG, or $OECD_BUILD_LOG), opened once."""
    global _kernel_log
    if _kernel_log is None:
        path = Path(os.environ.get("OECD_BUILD_LOG", BUILD_LOG))
        path.parent.mkdir(parents=True, exist_ok=True)
        _kernel_log = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process
    return _kernel_log
_engine_registered = False


def _register_engine() -> None:
    """A papermill engine that keeps one kernel per process and reuses it for every notebook.

    Starting a kernel and importing pandas, matplotlib and seaborn costs about 3 s; a worker
    that runs many notebooks (one per country) pays it once. Each notebook starts from an empty
    namespace (``%reset -f``), and `scrub` renumbers execution counts, so a notebook's output
    does not depend on what the kernel ran before.
    """
    global _engine_registered
    if _engine_registered:
        return
    from jupyter_client.manager import KernelManager
    from nbclient.util import ensure_async
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.utils import merge_kwargs, remove_args

    class ResettingClient(PapermillNotebookClient):
        """Empties the kernel's namespace before the notebook's first cell, through the client
        nbclient opens anyway (a client of its own would wait another 0.2 s for the kernel)."""

        async def async_start_new_kernel_client(self):
            client = await super().async_start_new_kernel_client()
            await ensure_async(client.execute_interactive("get_ipython().run_line_magic('reset', '-f')",
                                                          store_history=False, output_hook=lambda msg: None,
                                                          timeout=self.startup_timeout))
            return client

    class ReusedKernelEngine(NBClientEngine):
        kernel_manager = None

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None, **kwargs):
            km = cls.kernel_manager
            if km is None or not km.is_alive() or km.kernel_name != kernel_name:
                if km is not None:
                    km.shutdown_kernel(now=True)
                km = cls.kernel_manager = KernelManager(kernel_name=kernel_name)
                # the kernel's own messages (ipykernel's transport warning, library warnings) go to
                # the build log, not to the terminal: a notebook's warnings that matter are in its outputs
                km.start_kernel(cwd=str(NOTEBOOK_DIR), stdout=kernel_log(), stderr=kernel_log())
                atexit.register(km.shutdown_kernel, now=True)
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            final = merge_kwargs(kwargs, timeout=execution_timeout, startup_timeout=start_timeout,
                                 kernel_name=kernel_name, log_output=log_output, stdout_file=stdout_file,
                                 stderr_file=stderr_file)
            return ResettingClient(nb_man, km=km, **final).execute()

    papermill_engines.register(ENGINE_NAME, ReusedKernelEngine)
    _engine_registered = True


def hoist_computed_title(notebook: dict) -> dict:
    """Make a computed title (a Markdown output ``# Portugal (PT)``) the notebook's first heading.

    A country page computes its title, so its heading is an output, and renderers take a page's
    title from its first Markdown cell: Quarto would title the page by its file name. The
    executed copy therefore gets the heading as its first cell, and the output is removed, so
    the page has one h1 and a real title.
    """
    cells = notebook.get("cells", [])
    if any(c["cell_type"] == "markdown" and re.search(r"^# ", "".join(c["source"]), re.M) for c in cells):
        return notebook
    for cell in cells:
        for output in cell.get("outputs", []):
            markdown = "".join(output.get("data", {}).get("text/markdown", ""))
            if re.fullmatch(r"# [^\n]+\n?", markdown):
                cell["outputs"].remove(output)
                cells.insert(0, {"cell_type": "markdown", "id": "computed-title", "metadata": {},
                                 "source": [markdown.strip()]})
                return notebook
    return notebook


def scrub(notebook: dict) -> dict:
    """Remove what changes from run to run: timestamps, durations, papermill's environment."""
    meta = notebook.get("metadata", {})
    papermill = meta.get("papermill", {})
    for key in ("start_time", "end_time", "duration", "environment_variables", "input_path", "output_path", "version"):
        papermill.pop(key, None)
    meta.get("widgets", None) and meta.pop("widgets")
    count = 0
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code" and cell.get("execution_count") is not None:
            # renumbered: a reused kernel keeps counting across notebooks
            count += 1
            cell["execution_count"] = count
            for output in cell.get("outputs", []):
                if "execution_count" in output:
                    output["execution_count"] = count
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell.get("metadata", {}).pop("execution", None)
        pm = cell.get("metadata", {}).get("papermill")
        if pm:
            for key in ("start_time", "end_time", "duration", "exception", "status"):
                pm.pop(key, None)
            if not pm:
                cell["metadata"].pop("papermill")
    return notebook


def execute(name: str, parameters: dict | None = None, output: Path | None = None, *, kernel: str = KERNEL_NAME) -> Path:
    """Run ``notebooks/<name>.ipynb`` with `parameters`; return the executed copy's path."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    _register_engine()
    source = NOTEBOOK_DIR / f"{name}.ipynb"
    if not source.exists():
        known = ", ".join(sorted(p.stem for p in NOTEBOOK_DIR.glob("*.ipynb")))
        raise NotebookFailed(f"no notebook {name!r}; the notebooks are {known}")
    output = Path(output) if output else EXECUTED_DIR / f"{name}.ipynb"
    output.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_scratch(output)
    # papermill writes as it goes: the scratch copy lives outside the report, so a killed run
    # leaves nothing there that a site build could publish
    with tempfile.TemporaryDirectory(prefix="oecd-social-media-") as scratch_dir:
        scratch = Path(scratch_dir) / output.name
        try:
            # sorted: the injected cell must not depend on the order the parameters were given in
            papermill.execute_notebook(
                str(source), str(scratch), parameters=dict(sorted((parameters or {}).items())), kernel_name=kernel,
                cwd=str(NOTEBOOK_DIR), progress_bar=False, log_output=False, engine_name=ENGINE_NAME,
                # written once when done, not after every cell (each write validates and serialises
                # the whole notebook, charts included: about 0.5 s per notebook); the scratch copy
                # of a failed run is never read
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
    write_text_atomic(output, json.dumps(scrub(hoist_computed_title(notebook)), indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return output


def remove_stale_scratch(output: Path) -> None:
    """Scratch copies that earlier versions kept beside the output (``.<stem>.<random>.ipynb``)."""
    for stale in output.parent.glob(f".{output.stem}.*.ipynb"):
        stale.unlink(missing_ok=True)


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


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


def execute_jobs(work: list[tuple[str, dict, Path]], jobs: int) -> list[str]:
    """Run notebooks (name, parameters, output) in `jobs` worker processes, each keeping one
    kernel for all the notebooks it runs; print progress as each finishes. Returns the error
    messages (empty when all succeeded)."""
    from concurrent.futures import ProcessPoolExecutor

    import time

    errors = []
    workers = _workers(jobs, len(work))
    warm = None  # when each worker had finished one notebook (and so paid its kernel's start)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for done, ((name, _, _), (path, error)) in enumerate(zip(work, pool.map(_execute_one, work)), start=1):
            now = time.monotonic()
            eta = ""
            if done == workers:
                warm = now
            elif warm is not None and done < len(work):
                eta = f" (about {(now - warm) / (done - workers) * (len(work) - done):.0f} s left)"
            if error:
                errors.append(error)
                print(f"[{done}/{len(work)}] failed {_shown(path)}: {error}", file=sys.stderr, flush=True)
            else:
                print(f"[{done}/{len(work)}] executed {name} -> {_shown(path)}{eta}", flush=True)
    return errors


def execute_many(name: str, parameter: str, values: list[str], output_pattern: str, parameters: dict,
                 jobs: int) -> list[str]:
    """Run one notebook once per value of `parameter` (e.g. each country) in `jobs` processes."""
    work = [(name, {**parameters, parameter: value}, Path(output_pattern.format(value))) for value in values]
    return execute_jobs(work, jobs)


def run_queue(queue: Path, jobs: int) -> list[str]:
    """Run every notebook queued in `queue` (one ``*.job`` file each, written by the Makefile's
    rules for the pages that are out of date: the runner's own arguments), all in one pool.

    One command for every page and country keeps the kernels busy: pages and countries share
    the workers, and no page pays for a process and a kernel of its own. Each job file is
    removed once its notebook has run; a notebook that failed stays out of date for Make, which
    queues it again on the next build.
    """
    import shlex

    files = sorted(queue.glob("*.job")) if queue.is_dir() else []
    work = [_job(_parser().parse_args(shlex.split(file.read_text(encoding="utf-8")))) for file in files]
    if not work:
        return []
    # the analysis pages first (most work each), then the country pages, each in a fixed order
    order = sorted(range(len(work)), key=lambda i: (work[i][0] == COUNTRY_NOTEBOOK, work[i][0], str(work[i][2])))
    work, files = [work[i] for i in order], [files[i] for i in order]
    pages = sum(name != COUNTRY_NOTEBOOK for name, _, _ in work)
    print(f"notebooks: {pages} page(s) and {len(work) - pages} country page(s) on {_workers(jobs, len(work))} "
          "process(es)", flush=True)
    try:
        return execute_jobs(work, jobs)
    finally:
        for file in files:
            file.unlink(missing_ok=True)


def _workers(jobs: int, notebooks: int) -> int:
    return max(1, min(jobs, notebooks))


def _job(args: argparse.Namespace) -> tuple[str, dict, Path]:
    """(name, parameters, output) from the runner's arguments: -p values read as JSON where they
    parse, -P paths made absolute (the notebooks run in notebooks/), the output by default in
    report/pipeline/."""
    parameters = parse_parameters(args.parameter)
    parameters.update({key: os.path.abspath(value) if value else "" for key, value in args.path_parameter})
    return args.name, parameters, Path(args.output) if args.output else EXECUTED_DIR / f"{args.name}.ipynb"


def parse_parameters(pairs: list[tuple[str, str]]) -> dict:
    """-p NAME VALUE pairs: VALUE is read as JSON when it parses (numbers, true), else as a string."""
    parameters = {}
    for key, value in pairs:
        try:
            parameters[key] = json.loads(value)
        except json.JSONDecodeError:
            parameters[key] = value
    return parameters


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description="Execute a project notebook with papermill.")
    parser.add_argument("name", nargs="?", help="notebook name without .ipynb, e.g. 10_youth_civic")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a parameter; VALUE is read as JSON when it parses, else as a string")
    parser.add_argument("-P", "--path-parameter", nargs=2, action="append", default=[], metavar=("NAME", "PATH"),
                        help="a parameter that is a path: given relative to the current folder, passed absolute"
                             " (the notebooks run in notebooks/); an empty PATH stays empty")
    parser.add_argument("-o", "--output", help="where to write the executed notebook ({} = the --for-each value)")
    parser.add_argument("--for-each", nargs="+", metavar=("PARAMETER", "VALUE"),
                        help="run once per VALUE of PARAMETER, in parallel, e.g. --for-each country ES PT")
    parser.add_argument("--run-queue", type=Path, metavar="FOLDER",
                        help="run every notebook queued in FOLDER (*.job files, the Makefile's), in parallel")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for --for-each and --run-queue")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.run_queue:
        return 1 if run_queue(args.run_queue, args.jobs) else 0
    if not args.name:
        parser.error("the notebook's name is required (or --run-queue FOLDER)")
    _, parameters, output = _job(args)
    if args.for_each:
        parameter, values = args.for_each[0], args.for_each[1:]
        pattern = args.output or str(EXECUTED_DIR / f"{args.name}-{{}}.ipynb")
        errors = execute_many(args.name, parameter, values, pattern, parameters, args.jobs)
        return 1 if errors else 0
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
    print(f"executed {args.name} -> {_shown(path)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
