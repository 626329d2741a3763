"""The site rendered by Quarto from the executed notebooks (Quarto never executes them).

Quarto renders the pages of one process one after the other, on one core, and each process
first spends about 4 s starting and compiling the site's Bootstrap theme (docs/performance.md).
The pages are therefore split into parts of about equal work, one per core (JOBS), and each part
is rendered by its own Quarto process in a project of its own: a folder under
``<report>/.quarto-parts/`` holding hard links to that part's notebooks and to the site's files,
and the site's ``_quarto.yml`` with the part's pages as its render list. The parts' outputs are
then merged into ``_site``: a whole render is assembled beside the old site and replaces it in
one step, so a failed render leaves the previous site as it was; some pages (``make country``)
replace only their own files. The search index of the parts is merged page by page, in the
site's order. One page renders to the same bytes whatever part it was in (tested).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Set as AbstractSet
from pathlib import Path

import yaml

from helpers.base.atomic_files import replace_folder, write_text_atomic
from helpers.render.article import source_date_epoch
from helpers.render.brief import current_brief, with_brief_link
from helpers.render.inline_svg import inline_site_charts
from helpers.render.site_config import REPORT_DIR, Page, banner_html, front_matter, pages, read_config

PARTS_DIR = ".quarto-parts"
SEARCH_INDEX = "search.json"
# What a page costs Quarto (measured on this project, 2 cores, Quarto 1.11): about 1 s for a short
# page, plus about 1 s for each 20,000 characters of text and tables (pandoc's time); a page with a
# PDF besides its web version (the article) about 4.5 times its web version alone.
TEXT_PER_SECOND = 20_000
PDF_FACTOR = 4.5


def write_banner_include(report_dir: Path = REPORT_DIR, provenance_path: Path | None = None) -> Path:
    """report/banner.html for Quarto's include-before-body: the synthetic notice, or nothing."""
    provenance_path = provenance_path or REPORT_DIR.parent / "data" / "processed" / "provenance.json"
    provenance = json.loads(provenance_path.read_text()) if provenance_path.exists() else None
    target = report_dir / "banner.html"
    write_text_atomic(target, banner_html(provenance))
    return target


def weight(report_dir: Path, page: Page) -> float:
    """About how many seconds Quarto takes for the page (only the ratios matter)."""
    notebook = json.loads((report_dir / page.source).read_text(encoding="utf-8"))
    text = 0
    for cell in notebook.get("cells", []):
        if cell["cell_type"] == "markdown":
            text += len("".join(cell["source"]))
        for output in cell.get("outputs", []):
            text += len("".join(output.get("data", {}).get("text/markdown", "")))
    formats = front_matter(notebook).get("format", {})
    return (1 + text / TEXT_PER_SECOND) * (PDF_FACTOR if isinstance(formats, dict) and "typst" in formats else 1)


def split_pages(site_pages: list[Page], parts: int, weights: dict[Page, float]) -> list[list[Page]]:
    """`parts` lists of about equal work (the heaviest page first to the lightest part), each in
    the site's order; no empty part."""
    parts = max(1, min(parts, len(site_pages)))
    order = {page: n for n, page in enumerate(site_pages)}
    loads: list[list] = [[0.0, n, []] for n in range(parts)]
    for page in sorted(site_pages, key=lambda p: (-weights[p], order[p])):
        lightest = min(loads, key=lambda load: (load[0], load[1]))
        lightest[0] += weights[page]
        lightest[2].append(page)
    return [sorted(load[2], key=order.__getitem__) for load in loads if load[2]]


def part_config(config: dict, part: list[Page]) -> dict:
    """The site's configuration for a project that renders only `part`.

    Quarto resolves a navbar link to a notebook only when that notebook is in the render list,
    so the links name the pages' outputs (index.html), which is what Quarto writes for them."""
    config = json.loads(json.dumps(config))  # a deep copy of plain data
    config["project"]["render"] = [page.source.as_posix() for page in part]
    for side in ("left", "right"):
        for item in config["website"]["navbar"].get(side, []):
            if item.get("href", "").endswith(".ipynb"):
                item["href"] = str(Path(item["href"]).with_suffix(".html"))
    return config


def _link_tree(source: Path, target: Path) -> None:
    """Hard links of `source`'s files under `target` (a copy where links cannot be made)."""
    shutil.copytree(source, target, copy_function=_link_or_copy, dirs_exist_ok=True)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def make_part_project(report_dir: Path, config: dict, part: list[Page], folder: Path) -> Path:
    """A Quarto project in `folder` that renders `part` with the site's settings and resources."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    files = [page.source for page in part] + [Path(name) for name in _site_files(config)]
    for name in files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        if not _write_with_brief_link(report_dir, name, folder / name):
            _link_or_copy(str(report_dir / name), str(folder / name))
    for pattern in config["project"].get("resources", []):
        for resource in sorted(report_dir.glob(pattern)):
            (folder / resource.relative_to(report_dir)).parent.mkdir(parents=True, exist_ok=True)
            if resource.is_dir():
                _link_tree(resource, folder / resource.relative_to(report_dir))
            else:
                _link_or_copy(str(resource), str(folder / resource.relative_to(report_dir)))
    (folder / "_quarto.yml").write_text(
        yaml.safe_dump(part_config(config, part), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return folder


def _write_with_brief_link(report_dir: Path, page: Path, target: Path) -> bool:
    """A country page whose brief is current gets a copy that links it (helpers.render.brief); True if written."""
    if page.suffix != ".ipynb" or page.parent.as_posix() != "countries" or current_brief(report_dir, page.stem) is None:
        return False
    notebook = json.loads((report_dir / page).read_text(encoding="utf-8"))
    linked = with_brief_link(notebook, page, report_dir)
    if linked is notebook:
        return False
    target.write_text(json.dumps(linked, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    return True


def _site_files(config: dict) -> list[str]:
    """The files the configuration names besides the pages: style sheets and includes."""
    html = config.get("format", {}).get("html", {})
    named = []
    for key in ("css", "include-before-body", "include-after-body"):
        value = html.get(key) or []
        named += [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)]
    return named


def render_with_quarto(
    report_dir: Path = REPORT_DIR,
    *,
    quarto: str = "quarto",
    only: list[str] | None = None,
    provenance_path: Path | None = None,
    jobs: int | None = None,
) -> list[str]:
    """Render the site with Quarto (all pages, or only the notebooks in `only`); return what was rendered.

    Writes the banner include first (so `make country` never depends on an earlier `make
    report`); puts the SVG charts in their pages (`inline_site_charts`). The notebooks' outputs are
    images and Markdown, never HTML, so Quarto adds no
    widget runtime (require.js, jQuery from a CDN) to any page.
    """
    write_banner_include(report_dir, provenance_path)
    config = read_config(report_dir)
    site_pages = pages(report_dir, config)
    if only is None:
        chosen = site_pages
    else:
        known = {page.source.as_posix(): page for page in site_pages}
        unknown = sorted(set(only) - set(known))
        if unknown:
            raise RuntimeError(f"not pages of the site (report/_quarto.yml): {', '.join(unknown)}")
        chosen = [page for page in site_pages if page.source.as_posix() in set(only)]
    whole = len(chosen) == len(site_pages)
    jobs = jobs or int(os.environ.get("JOBS") or os.cpu_count() or 1)
    parts = split_pages(chosen, jobs, {page: weight(report_dir, page) for page in chosen})
    root = report_dir / PARTS_DIR
    shutil.rmtree(root, ignore_errors=True)
    folders = [make_part_project(report_dir, config, part, root / str(n + 1)) for n, part in enumerate(parts)]
    # the PDF's creation date is the article's date, not the clock's: two builds, one PDF
    environment = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(report_dir.resolve().parent)}
    running = [
        subprocess.Popen(
            [quarto, "render", "--quiet"],
            cwd=folder,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in folders
    ]
    failures = []
    for part, process in zip(parts, running):
        _, stderr = process.communicate()
        if process.returncode != 0:
            failures.append(
                f"quarto render (pages: {', '.join(p.source.as_posix() for p in part)}) "
                f"failed:\n{stderr.strip()[-2000:]}"
            )
    if failures:
        raise RuntimeError("\n".join(failures))  # the site is left as it was
    outputs = [folder / config["project"].get("output-dir", "_site") for folder in folders]
    for output in outputs:  # the SVG charts in their pages, where their marks' titles show
        inline_site_charts(output)
    site = report_dir / config["project"].get("output-dir", "_site")
    if whole:
        _replace_site(site, outputs, parts, site_pages)
    else:
        _merge_into_site(site, outputs, parts, site_pages)
    shutil.rmtree(root, ignore_errors=True)
    return [page.source.as_posix() for page in chosen]


def merged_search_index(indexes: list[list[dict]], rendered: list[Page], site_pages: list[Page]) -> list[dict]:
    """One search index: the entries of `indexes` (the parts', then the old site's), without an
    old entry for a page rendered again, in the site's page order (then each index's own)."""
    replaced = {page.output.as_posix() for page in rendered}
    rank = {page.output.as_posix(): n for n, page in enumerate(site_pages)}
    fresh, old = indexes[:-1], indexes[-1]
    entries = [entry for index in fresh for entry in index]
    entries += [entry for entry in old if entry["href"].split("#")[0] not in replaced]
    order = {id(entry): n for n, entry in enumerate(entries)}
    return sorted(entries, key=lambda e: (rank.get(e["href"].split("#")[0], len(rank)), order[id(e)]))


def _read_index(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


def _write_index(path: Path, entries: list[dict]) -> None:
    write_text_atomic(path, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")


def _move_into(source: Path, target: Path, skip: AbstractSet[Path] = frozenset()) -> None:
    """Move `source`'s files into `target`, replacing files of the same name, except those in `skip`."""
    for entry in sorted(source.iterdir()):
        destination = target / entry.name
        if entry in skip:
            continue
        if entry.is_dir() and not entry.is_symlink():
            destination.mkdir(parents=True, exist_ok=True)
            _move_into(entry, destination, skip)
        else:
            os.replace(entry, destination)


def _move_part(output: Path, part: list[Page], target: Path) -> None:
    """A part's output into `target`: its pages and everything beside them, but no other page. (A
    part without the home page gets from Quarto an index.html that redirects to its first page.)"""
    own = {output / page.output for page in part}
    others = {page for page in output.rglob("*.html") if page not in own and "site_libs" not in page.parts}
    _move_into(output, target, others)


def _replace_site(site: Path, outputs: list[Path], parts: list[list[Page]], site_pages: list[Page]) -> None:
    """The parts' outputs assembled beside the site, then put in its place in one step."""
    staging = site.with_name(site.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    indexes = [_read_index(output / SEARCH_INDEX) for output in outputs]
    for output, part in zip(outputs, parts):
        (output / SEARCH_INDEX).unlink(missing_ok=True)
        _move_part(output, part, staging)
    _write_index(staging / SEARCH_INDEX, merged_search_index([*indexes, []], site_pages, site_pages))
    replace_folder(staging, site)


def _merge_into_site(site: Path, outputs: list[Path], parts: list[list[Page]], site_pages: list[Page]) -> None:
    """Some pages rendered again: their files replace the old ones; the search index is merged."""
    site.mkdir(parents=True, exist_ok=True)
    indexes = [_read_index(output / SEARCH_INDEX) for output in outputs]
    for output, part in zip(outputs, parts):
        (output / SEARCH_INDEX).unlink(missing_ok=True)
        _move_part(output, part, site)
    rendered = [page for part in parts for page in part]
    _write_index(
        site / SEARCH_INDEX, merged_search_index([*indexes, _read_index(site / SEARCH_INDEX)], rendered, site_pages)
    )
