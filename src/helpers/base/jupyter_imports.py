"""Import Jupyter's notebook libraries without a grammar they never use (about 2 s per process).

nbformat validates notebooks with jsonschema. On import, jsonschema registers every optional
format checker it can import; `rfc3987_syntax` (installed through jupyter-events' jsonschema
extra) compiles an Earley grammar for IRIs when imported, which costs about 2.3 s on these
machines, in every process that runs or renders a notebook (papermill, nbconvert). No schema
of nbformat uses a format, let alone "iri", so the processes that run and render the report's
notebooks tell Python that the module is absent before jsonschema looks for it; jsonschema then
leaves the "iri" checkers out, as it does wherever the extra is not installed.

papermill, for its part, imports `pyarrow.fs` for an HDFS handler (about 0.4 s with numpy): the processes
that run notebooks never read from HDFS, so `import_papermill` imports it without (papermill expects its
absence); what is imported after it finds pyarrow as usual.
"""

from __future__ import annotations

import sys

SKIPPED = "rfc3987_syntax"
SKIPPED_BY_PAPERMILL = "pyarrow.fs"


def import_papermill():
    """papermill, imported without its HDFS handler's `pyarrow.fs` (papermill expects it may be absent);
    anything imported after it finds pyarrow as usual."""
    skipped = "papermill" not in sys.modules and SKIPPED_BY_PAPERMILL not in sys.modules
    if skipped:
        sys.modules[SKIPPED_BY_PAPERMILL] = None
    try:
        import papermill
    finally:
        if skipped:
            del sys.modules[SKIPPED_BY_PAPERMILL]
    return papermill


def skip_unused_iri_grammar() -> bool:
    """Keep jsonschema from importing `rfc3987_syntax`; True when it took effect (jsonschema was
    not imported yet, and the module not loaded by anything else)."""
    if "jsonschema" in sys.modules or SKIPPED in sys.modules:
        return False
    # `import rfc3987_syntax` now raises ImportError, which jsonschema expects
    sys.modules[SKIPPED] = None  # type: ignore[assignment]  # None in sys.modules is Python's documented import block
    return True
