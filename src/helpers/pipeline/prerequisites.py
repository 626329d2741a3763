"""What each notebook's page depends on, read from the code: the modules its notebook imports, directly or
through other modules, and the data files those modules read.

    python -S -m helpers.pipeline.prerequisites --output report/.prerequisites.mk

The Makefile includes the file this writes (one ``CODE_<notebook> := <files>`` line per notebook, one
``CODE_site`` line for the site's renderers and one ``CODE_article`` for the article's assembly) instead of a
hand-kept list: touching the warm worker, a renderer or the build lock queues no notebook; touching the claims
module queues the pages whose notebooks use it. The layering test (tests/test_layers.py) reads the same
import graph. Standard library only: make runs it before .venv may exist.
"""

from __future__ import annotations

import ast
import json
import os
import sys
import time
from pathlib import Path

from helpers.base.atomic_files import write_text_atomic

ROOT = Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "src" / "helpers"
NOTEBOOKS = ROOT / "notebooks"
# Every executed notebook is also shaped by the runner that executes it (its cell options, the timestamps
# it removes): its code is a prerequisite of every page.
RUNNER = "helpers.pipeline.notebook_runner"
# What make calls to turn executed notebooks into the site, and to assemble the article.
SITE_COMMANDS = "helpers.pipeline.site"
ARTICLE = "helpers.render.article"
BRIEF = "helpers.render.brief"  # what assembles and renders a country's brief


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name, for its __init__)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imported_names(source: str) -> set[str]:
    """The `helpers` modules and names a piece of code imports, anywhere in it (inside functions too): for
    `from helpers.a import b` both `helpers.a` and `helpers.a.b` (b may be a module or a name in a)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0 and node.module.startswith("helpers"):
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] == "helpers"}
    return found


def top_level_names(source: str) -> set[str]:
    """The `helpers` modules and names a module imports at its top (not inside its functions)."""
    tree = ast.parse(source)
    return imported_names(
        ast.unparse(ast.Module([n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], []))
    )


def import_graph(package: Path = PACKAGE) -> dict[str, set[str]]:
    """Each module and the modules of ours it imports (itself left out)."""
    known = modules(package)
    return {
        name: _known(imported_names(path.read_text(encoding="utf-8")), known) - {name} for name, path in known.items()
    }


def _known(names: set[str], known: dict[str, Path]) -> set[str]:
    """The names that are modules of ours, with the packages Python imports on the way to them."""
    found = set()
    for name in names:
        if name in known:
            parts = name.split(".")
            found |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)} & known.keys()
    return found


def closure(start: set[str], graph: dict[str, set[str]]) -> set[str]:
    """The modules `start` imports, directly or through others, `start` included."""
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph.get(name, ()))
    return seen


def notebook_imports(notebook: Path) -> set[str]:
    """The `helpers` modules and names a notebook's code cells import."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(cell["source"]) for cell in cells if cell["cell_type"] == "code"]
    return set().union(*(imported_names(source) for source in code)) if code else set()


def data_files_read(known: dict[str, Path], package: Path = PACKAGE) -> dict[str, set[Path]]:
    """The package's data files (the catalogue's TOML) each module reads: those whose file name one of the
    module's strings ends with (`"series.toml"`, `"catalogue/claims.toml"`)."""
    data = [path for path in package.rglob("*") if path.is_file() and path.suffix not in (".py", ".pyc")]
    found = {}
    for name, path in known.items():
        strings = {
            node.value
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        found[name] = {file for file in data if any(s.endswith(file.name) for s in strings)}
    return found


def files_of(names: set[str], known: dict[str, Path], data: dict[str, set[Path]]) -> list[str]:
    """The files behind modules and the data files they read, relative to the project, sorted."""
    files = {known[name] for name in names} | set().union(*(data[name] for name in names))
    return sorted(str(path.relative_to(ROOT)) for path in files)


def prerequisites(notebooks: Path = NOTEBOOKS, package: Path = PACKAGE) -> dict[str, list[str]]:
    """For each notebook (by name), the code files its page depends on; 'site' and 'article' for the rest."""
    known, graph = modules(package), import_graph(package)
    data = data_files_read(known, package)
    runner = closure({RUNNER}, graph)
    found = {
        path.stem: files_of(closure(_known(notebook_imports(path), known), graph) | runner, known, data)
        for path in sorted(notebooks.glob("*.ipynb"))
    }
    # The site's render command is what its module imports at the top; its other commands (one country's
    # notebook, the article) import the runner and the contract inside their functions.
    site = _known(top_level_names(known[SITE_COMMANDS].read_text(encoding="utf-8")), known)
    found["site"] = files_of(closure(site, graph) | {SITE_COMMANDS}, known, data)
    found["article"] = files_of(closure({ARTICLE}, graph), known, data)
    found["brief"] = files_of(closure({BRIEF}, graph), known, data)
    return found


def make_include(found: dict[str, list[str]]) -> str:
    lines = ["# Written by helpers.pipeline.prerequisites from the code's imports; not edited by hand.\n"]
    lines += [f"CODE_{name} := {' '.join(files)}\n" for name, files in found.items()]
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if len(argv) != 2 or argv[0] != "--output":
        print("usage: python -m helpers.pipeline.prerequisites --output FILE", file=sys.stderr)
        return 2
    output = Path(argv[1])
    output.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(output, make_include(prerequisites()))
    # never older than what it is made from, even a file dated in the future (a clock ahead, an unpacked
    # archive): make would otherwise write it again and read itself again until that time came
    sources = [*PACKAGE.glob("*.py"), *PACKAGE.glob("*/*.py"), *PACKAGE.glob("*/*.toml"), *NOTEBOOKS.glob("*.ipynb")]
    newest = max([time.time(), *(path.stat().st_mtime for path in sources)])
    os.utime(output, (newest, newest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
