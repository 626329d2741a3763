"""What each page depends on, read from the code: the modules its notebook imports, directly or through other modules,
and the catalogue files those modules read (docs/building.md, "How a build runs"). The layering test
(tests/test_layers.py) reads the same import graph."""

from __future__ import annotations

import json
import re
from pathlib import Path

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
RENDERERS = ("helpers.render.quarto_renderer", "helpers.render.fallback_renderer", ARTICLE, BRIEF)


def modules(package: Path = PACKAGE) -> dict[str, Path]:
    """Every module of the package by its dotted name (a package by its own name, for its __init__)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


# `from helpers.a import b, c` (names in parentheses over several lines too) and `import helpers.a`, at any
# indentation (imports inside functions count). Read with a pattern rather than a parse: a tenth of the time
# on black's layout. A docstring line written like an import counts too: more prerequisites, never fewer.
IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+(helpers[\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#]*)|import[ \t]+(helpers[\w.]*))", re.M
)
DATA_NAME = re.compile(r"[\"']([^\"'\n]+\.toml)[\"']")  # a catalogue file a module names


def imported_names(source: str) -> set[str]:
    """The `helpers` modules and names a piece of code imports, anywhere in it (inside functions too): for
    `from helpers.a import b` both `helpers.a` and `helpers.a.b` (b may be a module or a name in a)."""
    found = set()
    for module, names, plain in IMPORT.findall(source):
        if plain:
            found.add(plain)
            continue
        found.add(module)
        for name in re.sub(r"#[^\n]*", "", names).strip().strip("()").split(","):
            if name.split():
                found.add(f"{module}.{name.split()[0]}")
    return found


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
    data = sorted(package.rglob("*.toml"))
    found = {}
    for name, path in known.items():
        strings = DATA_NAME.findall(path.read_text(encoding="utf-8"))
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
    # the site: what renders it (its command's own imports inside functions run notebooks, not the render)
    found["site"] = files_of(closure(set(RENDERERS), graph) | {SITE_COMMANDS}, known, data)
    found["article"] = files_of(closure({ARTICLE}, graph), known, data)
    found["brief"] = files_of(closure({BRIEF}, graph), known, data)
    return found
