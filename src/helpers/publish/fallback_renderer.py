"""The fallback renderer: the site built from the executed notebooks with nbconvert, where Quarto is absent.
"""

from __future__ import annotations

import html
import json
import shutil
from functools import lru_cache
from pathlib import Path

from helpers.base.atomic_files import write_text_atomic
from helpers.base.jupyter_imports import skip_unused_iri_grammar
from helpers.publish.site_config import (
    KOSOVO_NOTE,
    REPORT_DIR,
    Page,
    banner_html,
    citation_meta,
    credit_line,
    navigation,
    notebook_title,
    pages,
    read_config,
)

skip_unused_iri_grammar()  # before nbconvert imports nbformat: about 2 s less per process


FALLBACK_NAME = "the fallback renderer (nbconvert)"


@lru_cache(maxsize=1)
def _exporter():
    """One exporter for every page: loading its templates costs more than converting a page."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True)


def body_html(notebook_path: Path) -> str:
    """The notebook's markdown and outputs, without code, as an HTML fragment."""
    import nbformat

    notebook = nbformat.read(notebook_path, as_version=4)
    # the parameters cells hold code only; papermill's injected cell too
    body, _ = _exporter().from_notebook_node(notebook)
    return body


def page_html(page: Page, *, title: str, site_title: str, nav: list[tuple[str, str]], body: str, banner: str,
              meta: str, renderer: str, credit: str = "", nav_title: str = "") -> str:
    depth = len(page.source.parts) - 1
    up = "../" * depth
    links = []
    for text, href in nav:
        current = ' aria-current="page"' if href == str(page.output) else ""
        links.append(f'<a href="{up}{href}"{current}>{html.escape(text)}</a>')
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html.escape(title)} - {html.escape(site_title)}</title>\n"
        f"{meta}"
        '<link rel="icon" href="data:,">\n'  # no favicon file to fetch
        f'<link rel="stylesheet" href="{up}styles.css">\n'
        "</head>\n<body>\n"
        f"{banner}"
        f'<nav class="site-nav" aria-label="Report sections"><span class="site-title">{html.escape(nav_title or site_title)}</span>'
        + "".join(links) + "</nav>\n"
        f'<main id="content">\n{body}\n</main>\n'
        f'<footer class="site-footer"><p>{html.escape(credit)}</p><p>Built by {renderer} from the executed notebooks; '
        "Quarto was not found on this machine. Data: Eurostat (see Data and methods).</p>"
        f"<p>{html.escape(KOSOVO_NOTE)}</p></footer>\n"
        "</body>\n</html>\n"
    )


def build_fallback_site(report_dir: Path = REPORT_DIR, site_dir: Path | None = None, *, only: list[str] | None = None,
                        provenance_path: Path | None = None) -> list[Path]:
    """Build the site from the executed notebooks with nbconvert; return the pages written.

    `only` limits the build to some pages (relative notebook paths) and leaves the others be.
    """
    import nbconvert

    config = read_config(report_dir)
    site_dir = site_dir or report_dir / config["project"].get("output-dir", "_site")
    root = REPORT_DIR.parent
    provenance_path = provenance_path or root / "data" / "processed" / "provenance.json"
    provenance = json.loads(provenance_path.read_text()) if provenance_path.exists() else None
    missing = [str(p.source) for p in pages(report_dir, config) if not (report_dir / p.source).exists()]
    if missing:
        raise FileNotFoundError(f"executed notebooks missing for the site: {', '.join(missing)}; run `make notebooks`")
    nav = navigation(config)
    site_title = config["website"]["title"]
    # the navbar's short title (as Quarto shows it), so that the sections fit on one line
    nav_title = config["website"]["navbar"].get("title", "")
    banner = banner_html(provenance)
    meta = citation_meta(root)
    credit = credit_line(root)
    renderer = f"{FALLBACK_NAME} {nbconvert.__version__}"
    written = []
    site_dir.mkdir(parents=True, exist_ok=True)
    for page in pages(report_dir, config):
        if only is not None and str(page.source) not in only:
            continue
        notebook = json.loads((report_dir / page.source).read_text(encoding="utf-8"))
        title = notebook_title(notebook, page.source.stem)
        document = page_html(page, title=title, site_title=site_title, nav=nav, body=body_html(report_dir / page.source),
                             banner=banner, meta=meta, renderer=renderer, credit=credit, nav_title=nav_title)
        target = site_dir / page.output
        target.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(target, document)
        written.append(target)
    for pattern in config["project"].get("resources", []):
        for path in sorted(report_dir.glob(pattern)):
            target = site_dir / path.relative_to(report_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    shutil.copyfile(report_dir / "styles.css", site_dir / "styles.css")
    return written
