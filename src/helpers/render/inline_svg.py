"""Charts put in the page itself: an SVG chart (helpers.publish.charts) becomes an inline <svg> element, where a browser
and a screen reader reach its marks' ``<title>``s (through ``<img>`` they reach none). The fallback renderer inlines a
notebook's ``image/svg+xml`` output (`inline`); after Quarto's render, `inline_site_charts` replaces each <img> of an
SVG file by the file, and removes it (docs/building.md, "The charts")."""

from __future__ import annotations

import html
import re
from pathlib import Path

from helpers.base.atomic_files import write_text_atomic

PROLOG = re.compile(r"\A\s*(<\?xml[^>]*\?>\s*)?(<!DOCTYPE[^>]*>\s*)?", re.S)
METADATA = re.compile(r"\s*<metadata>.*?</metadata>", re.S)
SVG_TAG = re.compile(r"<svg\b([^>]*)>")
SIZE = re.compile(r'\s(width|height)="([^"]*)"')
# Quarto's <img> of a chart written as an SVG file beside the page (<page>_files/figure-html/...svg); an
# attribute's quoted value may hold a ">" (Quarto leaves a label's "<script>" raw in an alt text)
SVG_IMG = re.compile(r'<img\b(?=(?:[^>"]|"[^"]*")*?\bsrc="(?P<src>[^"]+\.svg)")(?:[^>"]|"[^"]*")*>')
ALT = re.compile(r'\balt="(?P<alt>[^"]*)"')


def inline(svg: str, *, alt: str) -> str:
    """The SVG document as an element of an HTML page: no XML prolog, DOCTYPE or metadata; as wide as its column, at
    most its own width, its height from its viewBox (a width and a height in its attributes would fix its size, and a
    figure that centres it would shrink it to its caption's width); a graphics document named by `alt` (plain text)."""
    svg = METADATA.sub("", PROLOG.sub("", svg, count=1), count=1)
    match = SVG_TAG.search(svg)
    if match is None:
        raise ValueError("not an SVG document (no <svg> element)")
    size = dict(SIZE.findall(match.group(1)))
    attributes = SIZE.sub("", match.group(1))
    width = f' style="width:100%;max-width:{size["width"]}"' if "width" in size else ""
    opening = f'<svg class="report-chart" role="graphics-document" aria-label="{html.escape(alt)}"{width}{attributes}>'
    return svg[: match.start()] + opening + svg[match.end() :].rstrip() + "\n"


def inline_page_charts(page: Path) -> list[Path]:
    """Replace each <img> of a local SVG in the HTML page by the SVG itself; return the files inlined."""
    text = page.read_text(encoding="utf-8")
    used = []

    def replace(match: re.Match) -> str:
        source = (page.parent / html.unescape(match.group("src"))).resolve()
        if "://" in match.group("src") or not source.is_file():
            return match.group(0)
        alt = ALT.search(match.group(0))
        used.append(source)
        return inline(source.read_text(encoding="utf-8"), alt=html.unescape(alt.group("alt")) if alt else "")

    inlined = SVG_IMG.sub(replace, text)
    if used:
        write_text_atomic(page, inlined)
    return used


def inline_site_charts(site: Path) -> int:
    """Inline every SVG chart of the site's pages (Quarto's output), then remove the inlined files
    (and folders left empty); return the number of charts inlined."""
    used = [path for page in sorted(site.rglob("*.html")) for path in inline_page_charts(page)]
    for path in sorted(set(used)):
        path.unlink(missing_ok=True)
    for folder in sorted({p.parent for p in used}, key=lambda p: -len(p.parts)):
        while folder != site and folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return len(used)
