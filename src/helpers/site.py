"""The report's site: which pages it has, the country index, and the fallback renderer.

The page list and navigation are read from ``report/_quarto.yml``, so Quarto and the fallback
renderer (nbconvert, used where Quarto is absent) build the same pages from the same executed
notebooks.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from helpers.atomic_files import write_text_atomic
from helpers.catalogue import load_catalogue
from helpers.errors import DISK_FULL, disk_full
from helpers.jupyter_imports import skip_unused_iri_grammar
from helpers.provenance import SYNTHETIC_NOTICE
from helpers.text import plain_text

skip_unused_iri_grammar()  # before nbconvert imports nbformat: about 2 s less per process

REPORT_DIR = Path(__file__).resolve().parents[2] / "report"
FALLBACK_NAME = "the fallback renderer (nbconvert)"


@dataclass(frozen=True)
class Page:
    source: Path  # executed notebook, relative to the report folder

    @property
    def output(self) -> Path:
        return self.source.with_suffix(".html")


def read_config(report_dir: Path = REPORT_DIR) -> dict:
    return yaml.safe_load((report_dir / "_quarto.yml").read_text(encoding="utf-8"))


def navigation(config: dict) -> list[tuple[str, str]]:
    """(text, page.html) for each navbar entry."""
    return [(item["text"], str(Path(item["href"]).with_suffix(".html"))) for item in config["website"]["navbar"]["left"]]


def pages(report_dir: Path = REPORT_DIR, config: dict | None = None) -> list[Page]:
    """Every page the site renders, expanding globs such as countries/*.ipynb."""
    config = config or read_config(report_dir)
    found = []
    for pattern in config["project"]["render"]:
        matches = sorted(report_dir.glob(pattern)) if "*" in pattern else [report_dir / pattern]
        for path in matches:
            # hidden files (a killed run's scratch copy, say) are never pages, as for Quarto
            if not any(part.startswith((".", "_")) for part in path.relative_to(report_dir).parts):
                found.append(Page(path.relative_to(report_dir)))
    return found


def notebook_title(notebook: dict, fallback: str) -> str:
    """The first level-one heading of the notebook: its markdown, or a Markdown output (country pages)."""
    for cell in notebook["cells"]:
        texts = ["".join(cell["source"])] if cell["cell_type"] == "markdown" else [
            "".join(output.get("data", {}).get("text/markdown", "")) for output in cell.get("outputs", [])]
        for text in texts:
            match = re.search(r"^# (.+)$", text, re.M)
            if match:
                return plain_text(match.group(1).strip())
    return fallback


def banner_html(provenance: dict | None) -> str:
    """The page-level warning, first thing in the page: the fallback's <body>, Quarto's include."""
    if provenance and provenance.get("synthetic"):
        return (f'<div class="synthetic-banner page-banner" role="alert"><strong>{html.escape(SYNTHETIC_NOTICE)}'
                '</strong></div>\n')
    return ""


KOSOVO_NOTE = ("Kosovo*: this designation is without prejudice to positions on status, and is in line with "
               "UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence.")


def credit_line(root: Path) -> str:
    """'<authors>, <title>, version <v>, <date>' from CITATION.cff, for every page's footer."""
    cff_path = root / "CITATION.cff"
    if not cff_path.exists():
        return ""
    cff = yaml.safe_load(cff_path.read_text(encoding="utf-8"))
    authors = "; ".join(a.get("name") or f"{a.get('given-names', '')} {a.get('family-names', '')}".strip()
                        for a in cff.get("authors", []))
    return f"{authors}, {cff.get('title', '')}, version {cff.get('version', '')}, {cff.get('date-released', '')}."


def citation_meta(root: Path) -> str:
    """Highwire-style citation tags from CITATION.cff, for reference managers."""
    cff_path = root / "CITATION.cff"
    if not cff_path.exists():
        return ""
    cff = yaml.safe_load(cff_path.read_text(encoding="utf-8"))
    tags = [("citation_title", cff.get("title", ""))]
    for author in cff.get("authors", []):
        name = author.get("name") or f"{author.get('family-names', '')}, {author.get('given-names', '')}".strip(", ")
        tags.append(("citation_author", name))
    if cff.get("date-released"):
        tags.append(("citation_publication_date", str(cff["date-released"]).replace("-", "/")))
    if cff.get("version"):
        tags.append(("citation_version", str(cff["version"])))
    return "".join(f'<meta name="{k}" content="{html.escape(str(v))}">\n' for k, v in tags if v)


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


def write_banner_include(report_dir: Path = REPORT_DIR, provenance_path: Path | None = None) -> Path:
    """report/banner.html for Quarto's include-before-body: the synthetic notice, or nothing."""
    provenance_path = provenance_path or REPORT_DIR.parent / "data" / "processed" / "provenance.json"
    provenance = json.loads(provenance_path.read_text()) if provenance_path.exists() else None
    target = report_dir / "banner.html"
    write_text_atomic(target, banner_html(provenance))
    return target


def keep_previous(report_dir: Path = REPORT_DIR) -> Path:
    """Copy the executed notebooks to ``<report-dir>/.previous`` (the baseline of `make diff`).

    The copy is made beside the old baseline and swapped in whole, so a failure (a full disk)
    leaves the old baseline as it was.
    """
    previous = report_dir / ".previous"
    fresh = report_dir / ".previous.new"
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        for path in sorted(report_dir.rglob("*.ipynb")):
            relative = path.relative_to(report_dir)
            if relative.parts[0] in (".previous", ".previous.new", "pipeline") or relative.name.startswith("."):
                continue
            (fresh / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, fresh / relative)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    fresh.mkdir(exist_ok=True)
    old = report_dir / ".previous.old"
    shutil.rmtree(old, ignore_errors=True)
    if previous.exists():
        previous.rename(old)
    fresh.rename(previous)
    shutil.rmtree(old, ignore_errors=True)
    return previous


# ----------------------------------------------------------------------------- Quarto

# Quarto adds require.js and jQuery from a CDN to any page with a text/html output, for
# "JavaScript widgets" (src/core/jupyter/widgets.ts in quarto-cli). This report's outputs are
# static HTML (tables, figures, the banner) and never need them; left in, an offline reader
# gets "define is not defined" and every page asks another host. They are removed after render.
WIDGET_RUNTIME = re.compile(
    r'<script src="https://cdn\.jsdelivr\.net/npm/(?:requirejs|jquery)@[^"]*"[^>]*></script>\n?'
    r"|<script type=\"application/javascript\">define\('jquery', \[\],function\(\) \{return window\.jQuery;\}\)</script>\n?"
)
# rendering page by page costs Quarto's start-up each time; beyond this many, render the whole site
QUARTO_PAGE_BY_PAGE = 8


def render_with_quarto(report_dir: Path = REPORT_DIR, *, quarto: str = "quarto", only: list[str] | None = None,
                       provenance_path: Path | None = None) -> list[str]:
    """Render the site with Quarto (all pages, or only the notebooks in `only`); return what was rendered.

    Writes the banner include first (so `make country` never depends on an earlier `make
    report`), then removes the CDN widget runtime from the rendered pages.
    """
    import subprocess

    write_banner_include(report_dir, provenance_path)
    config = read_config(report_dir)
    site_dir = report_dir / config["project"].get("output-dir", "_site")
    targets = sorted(set(only)) if only is not None and len(set(only)) <= QUARTO_PAGE_BY_PAGE else [None]
    for target in targets:
        command = [quarto, "render", *([target] if target else []), "--quiet"]
        result = subprocess.run(command, cwd=report_dir, capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"quarto render {target or ''} failed:\n{result.stderr.strip()[-2000:]}")
    pages_rendered = targets if targets != [None] else [str(p.source) for p in pages(report_dir, config)]
    for page in pages_rendered:
        path = site_dir / Path(page).with_suffix(".html")
        if path.exists():
            text = path.read_text(encoding="utf-8")
            cleaned = WIDGET_RUNTIME.sub("", text)
            if cleaned != text:
                write_text_atomic(path, cleaned)
    return pages_rendered


# ----------------------------------------------------------------------------- countries


def country_index(store):
    """The Countries page: one row per country with data, linking to its page."""
    import pandas as pd

    from helpers.store import countries_with_data

    catalogue = load_catalogue()
    rows = []
    for geo in countries_with_data(store):
        values = store[(store.geo == geo) & store.value.notna()]
        rows.append({
            "country": f'<a href="countries/{geo}.html">{html.escape(catalogue.labels["geo"][geo])}</a>',
            "code": geo,
            "years with data": f"{values.year.min()}-{values.year.max()}",
            "values": len(values),
            "flagged values": int((values.flag != "").sum()),
        })
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The report's site: fallback renderer and helpers for make.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build <report-dir>/_site with nbconvert (when Quarto is absent)")
    build.add_argument("--only", nargs="*", help="notebooks (relative to the report folder) to render; default all")
    banner = sub.add_parser("banner", help="write <report-dir>/banner.html for Quarto")
    country = sub.add_parser("country", help="run one country's notebook and render its page and the index")
    country.add_argument("code")
    country.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"))
    previous = sub.add_parser("keep-previous", help="keep the executed notebooks as the baseline of `make diff`")
    render = sub.add_parser("render", help="render the site: Quarto when --quarto is given, else the fallback")
    render.add_argument("--only", nargs="*", help="notebooks (relative to the report folder) to render; default all")
    for command in (country, render):
        command.add_argument("--quarto", help="the quarto executable (make passes it when Quarto is on the PATH)")
    for command in (build, banner, country, previous, render):
        command.add_argument("--report-dir", type=Path, default=REPORT_DIR)
        command.add_argument("--provenance", type=Path, help="the store's provenance.json (default data/processed)")
    args = parser.parse_args(argv)
    try:
        return _run(args)
    except OSError as exc:
        if not disk_full(exc):
            raise
        print(f"error: {args.command}: {DISK_FULL}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.command == "keep-previous":
        keep_previous(args.report_dir)
    elif args.command == "build":
        args.quarto = None
        return _render(args, args.only)
    elif args.command == "banner":
        write_banner_include(args.report_dir, args.provenance)
    elif args.command == "country":
        # one process for both steps: the notebook runner and the renderer share their imports
        from helpers.notebooks import COUNTRY_NOTEBOOK, NotebookFailed, execute, parse_parameters

        code = args.code.upper()
        output = args.report_dir / "countries" / f"{code}.ipynb"
        try:
            execute(COUNTRY_NOTEBOOK, {**parse_parameters(args.parameter), "country": code}, output)
        except NotebookFailed as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"executed {COUNTRY_NOTEBOOK} -> {output}")
        return _render(args, [f"countries/{code}.ipynb", "countries.ipynb"])
    elif args.command == "render":
        return _render(args, args.only)
    return 0


def _render(args: argparse.Namespace, only: list[str] | None) -> int:
    """The site (or some pages) with Quarto when make found it, else with the fallback renderer."""
    if args.quarto:
        try:
            rendered = render_with_quarto(args.report_dir, quarto=args.quarto, only=only, provenance_path=args.provenance)
        except RuntimeError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(f"rendered {len(rendered)} page(s) in {args.report_dir}/_site with Quarto")
        return 0
    try:
        written = build_fallback_site(args.report_dir, only=only, provenance_path=args.provenance)
    except FileNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"built {len(written)} page(s) in {args.report_dir}/_site with {FALLBACK_NAME} (Quarto not found)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
