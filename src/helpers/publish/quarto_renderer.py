"""The site rendered by Quarto from the executed notebooks (Quarto never executes them).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from helpers.base.atomic_files import write_text_atomic
from helpers.publish.article import source_date_epoch
from helpers.publish.site_config import REPORT_DIR, banner_html, pages, read_config


def write_banner_include(report_dir: Path = REPORT_DIR, provenance_path: Path | None = None) -> Path:
    """report/banner.html for Quarto's include-before-body: the synthetic notice, or nothing."""
    provenance_path = provenance_path or REPORT_DIR.parent / "data" / "processed" / "provenance.json"
    provenance = json.loads(provenance_path.read_text()) if provenance_path.exists() else None
    target = report_dir / "banner.html"
    write_text_atomic(target, banner_html(provenance))
    return target


# rendering page by page costs Quarto's start-up each time; beyond this many, render the whole site
QUARTO_PAGE_BY_PAGE = 8


def render_with_quarto(report_dir: Path = REPORT_DIR, *, quarto: str = "quarto", only: list[str] | None = None,
                       provenance_path: Path | None = None) -> list[str]:
    """Render the site with Quarto (all pages, or only the notebooks in `only`); return what was rendered.

    Writes the banner include first (so `make country` never depends on an earlier `make
    report`). The notebooks' outputs are images and Markdown, never HTML, so Quarto adds no
    widget runtime (require.js, jQuery from a CDN) to any page.
    """
    import subprocess

    write_banner_include(report_dir, provenance_path)
    config = read_config(report_dir)
    targets = sorted(set(only)) if only is not None and len(set(only)) <= QUARTO_PAGE_BY_PAGE else [None]
    # the PDF's creation date is the article's date, not the clock's: two builds, one PDF
    environment = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(REPORT_DIR.parent)}
    for target in targets:
        command = [quarto, "render", *([target] if target else []), "--quiet"]
        result = subprocess.run(command, cwd=report_dir, capture_output=True, text=True, env=environment)
        if result.returncode != 0:
            raise RuntimeError(f"quarto render {target or ''} failed:\n{result.stderr.strip()[-2000:]}")
    return targets if targets != [None] else [str(p.source) for p in pages(report_dir, config)]
