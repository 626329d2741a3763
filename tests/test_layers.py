"""The package's layout shows the data's way: each stage imports only itself and the stages below it,
and no module imports itself back through others (no import cycle), counting imports inside functions."""

from __future__ import annotations

import ast

from helpers.pipeline.prerequisites import import_graph, modules

# lowest first: a stage may import its own modules and those of the stages before it
STAGES = ["base", "catalogue", "acquire", "store", "analysis", "publish", "render", "pipeline"]


def stage(module: str) -> int | None:
    parts = module.split(".")
    return STAGES.index(parts[1]) if len(parts) > 1 and parts[1] in STAGES else None


def graph() -> dict[str, set[str]]:
    """The import graph the build reads for each page's prerequisites (helpers.pipeline.prerequisites)."""
    return import_graph()


def test_every_module_sits_in_a_stage():
    loose = [m for m in modules() if m != "helpers" and stage(m) is None]
    assert not loose, f"modules outside the stages {STAGES}: {loose}"


def test_no_stage_imports_a_later_one():
    wrong = [
        f"{a} imports {b}"
        for a, targets in graph().items()
        for b in targets
        if stage(a) is not None and stage(b) is not None and stage(b) > stage(a)
    ]
    assert not wrong, "\n".join(wrong)


def test_no_import_cycle():
    edges = graph()
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        state[node] = 2
        path.pop()
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            raise AssertionError("import cycle: " + " -> ".join(cycle))


def test_the_contract_and_the_lock_need_nothing_but_the_standard_library():
    """They run when the Makefile is read, before .venv exists."""
    import sys

    allowed = set(sys.stdlib_module_names) | {"helpers"}
    for name in (
        "helpers.pipeline.parameters",
        "helpers.pipeline.build_lock",
        "helpers.pipeline.prerequisites",
        "helpers.catalogue",
        "helpers.base.errors",
        "helpers.base.atomic_files",
    ):
        tree = ast.parse(modules()[name].read_text(encoding="utf-8"))
        top = {n.module.split(".")[0] for n in tree.body if isinstance(n, ast.ImportFrom) and n.module} | {
            a.name.split(".")[0] for n in tree.body if isinstance(n, ast.Import) for a in n.names
        }
        assert top <= allowed, (name, top - allowed)
