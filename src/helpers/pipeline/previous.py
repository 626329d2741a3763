"""The previous build's executed notebooks, kept as the baseline of `make diff`."""

from __future__ import annotations

import shutil
from pathlib import Path

from helpers.base.atomic_files import replace_folder
from helpers.render.site_config import REPORT_DIR


def keep_previous(report_dir: Path = REPORT_DIR) -> Path:
    """Copy the executed notebooks to ``<report-dir>/.previous``, beside the old baseline first and then swapped
    in whole, so that a failure (a full disk) leaves the old baseline as it was."""
    previous, fresh = report_dir / ".previous", report_dir / ".previous.new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        for path in sorted(report_dir.rglob("*.ipynb")):
            relative = path.relative_to(report_dir)
            if relative.parts[0] not in (".previous", ".previous.new", "pipeline") and not relative.name.startswith(
                "."
            ):
                (fresh / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, fresh / relative)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    fresh.mkdir(exist_ok=True)
    return replace_folder(fresh, previous)
