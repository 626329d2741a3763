"""The site rendered by Quarto from the executed notebooks (Quarto never executes them), in parts of about equal work,
one Quarto process and project per core (JOBS), under ``<report>/.quarto-parts/``; the parts' outputs then merged into
``_site`` (docs/building.md; the costs: docs/performance.md)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Any

import yaml

from helpers.base.atomic_files import replace_folder, write_text_atomic
from helpers.render.article import source_date_epoch, write_notebook
from helpers.render.brief import with_brief_link
from helpers.render.inline_svg import inline_site_charts
from helpers.render.site_config import REPORT_DIR, Page, banner_html, front_matter, pages, read_config

PARTS_DIR = ".quarto-parts"
SEARCH_INDEX = "search.json"
# What a page costs Quarto (measured on this project, 2 cores, Quarto 1.11): about 1 s for a short
# page, plus about 1 s for each 20,000 characters of text and tables (pandoc's time); a page with a
# PDF besides its web version (the article) about 4.5 times its web version alone.
TEXT_PER_SECOND = 20_000
PDF_FACTOR = 4.5


def weight(report_dir: Path, page: Page) -> float:
    """About how many seconds Quarto takes for the page (only the ratios matter)."""
    notebook = json.loads((report_dir / page.source).read_text(encoding="utf-8"))
    cells = notebook.get("cells", [])
    texts = [cell["source"] for cell in cells if cell["cell_type"] == "markdown"]
    texts += [output.get("data", {}).get("text/markdown", "") for cell in cells for output in cell.get("outputs", [])]
    text = sum(len("".join(each)) for each in texts)
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


def _link_or_copy(source: str | Path, target: str | Path) -> None:
    """A hard link of `source` (a copy where links cannot be made)."""
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
        if name.suffix == ".ipynb" and name.parent.as_posix() == "countries":  # its brief's link, if current
            notebook = json.loads((report_dir / name).read_text(encoding="utf-8"))
            linked = with_brief_link(notebook, name, report_dir)
            if linked is not notebook:
                write_notebook(folder / name, linked)
                continue
        _link_or_copy(report_dir / name, folder / name)
    for pattern in config["project"].get("resources", []):
        for resource in sorted(report_dir.glob(pattern)):
            copy = folder / resource.relative_to(report_dir)
            copy.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(resource, copy)
    (folder / "_quarto.yml").write_text(
        yaml.safe_dump(part_config(config, part), sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    return folder


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

    Writes the banner include first (so `make country` never depends on an earlier `make report`); puts the SVG charts
    in their pages (`inline_site_charts`)."""
    write_text_atomic(report_dir / "banner.html", banner_html(provenance_path))  # Quarto's include-before-body
    config = read_config(report_dir)
    site_pages = pages(report_dir, config)
    unknown = sorted(set(only or ()) - {page.source.as_posix() for page in site_pages})
    if unknown:
        raise RuntimeError(f"not pages of the site (report/_quarto.yml): {', '.join(unknown)}")
    chosen = site_pages if only is None else [page for page in site_pages if page.source.as_posix() in only]
    whole = len(chosen) == len(site_pages)
    jobs = jobs or int(os.environ.get("JOBS") or os.cpu_count() or 1)
    parts = split_pages(chosen, jobs, {page: weight(report_dir, page) for page in chosen})
    root = report_dir / PARTS_DIR
    shutil.rmtree(root, ignore_errors=True)
    folders = [make_part_project(report_dir, config, part, root / str(n + 1)) for n, part in enumerate(parts)]
    # the PDF's creation date is the article's date, not the clock's: two builds, one PDF
    environment = {**os.environ, "SOURCE_DATE_EPOCH": source_date_epoch(report_dir.resolve().parent)}
    pipes: dict[str, Any] = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    running = [
        subprocess.Popen([quarto, "render", "--quiet"], cwd=folder, env=environment, **pipes) for folder in folders
    ]
    failures = []
    for part, process in zip(parts, running):
        _, stderr = process.communicate()
        if process.returncode != 0:
            names = ", ".join(p.source.as_posix() for p in part)
            failures.append(f"quarto render (pages: {names}) failed:\n{stderr.strip()[-2000:]}")
    if failures:
        raise RuntimeError("\n".join(failures))  # the site is left as it was
    outputs = [folder / config["project"].get("output-dir", "_site") for folder in folders]
    for output in outputs:  # the SVG charts in their pages, where their marks' titles show
        inline_site_charts(output)
    site = report_dir / config["project"].get("output-dir", "_site")
    _install(site, outputs, parts, site_pages, whole)
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
    return sorted(entries, key=lambda e: rank.get(e["href"].split("#")[0], len(rank)))  # stable: each index's order


def _read_index(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []


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


def _install(site: Path, outputs: list[Path], parts: list[list[Page]], site_pages: list[Page], whole: bool) -> None:
    """The parts' outputs into the site, their search indexes merged: a whole render assembled beside the site,
    then put in its place in one step; some pages rendered again replace their old files."""
    target = site.with_name(site.name + ".new") if whole else site
    if whole:
        shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True, exist_ok=True)
    indexes = [_read_index(output / SEARCH_INDEX) for output in outputs]
    for output, part in zip(outputs, parts):
        (output / SEARCH_INDEX).unlink(missing_ok=True)
        # its pages and everything beside them, but no other page (a part without the home page gets from
        # Quarto an index.html that redirects to its first page)
        own = {output / page.output for page in part}
        _move_into(output, target, {p for p in output.rglob("*.html") if p not in own and "site_libs" not in p.parts})
    rendered = site_pages if whole else [page for part in parts for page in part]
    indexes.append([] if whole else _read_index(site / SEARCH_INDEX))
    index = merged_search_index(indexes, rendered, site_pages)
    write_text_atomic(target / SEARCH_INDEX, json.dumps(index, indent=2, ensure_ascii=False) + "\n")
    if whole:
        replace_folder(target, site)
