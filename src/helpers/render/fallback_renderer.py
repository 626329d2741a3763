"""The fallback renderer: the site built from the executed notebooks where Quarto is absent.

It shows what Quarto shows, from the same notebooks and cell options (`helpers.render.cell_options`): Markdown (with the
Pandoc forms the report uses: callouts, spans, ``@fig-``/``@tbl-`` references, read with mistune), numbered figures and
tables with their captions and alt text, never the code."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
from pathlib import Path
from typing import cast

import mistune

from helpers.base.atomic_files import replace_folder, write_bytes_atomic, write_text_atomic
from helpers.render.brief import with_brief_link
from helpers.render.cell_options import SKIPPED_TAGS, caption_from_option, read_options
from helpers.render.inline_svg import inline as inline_svg
from helpers.render.site_config import (
    KOSOVO_NOTE,
    REPORT_DIR,
    banner_html,
    citation_meta,
    credit_line,
    front_matter,
    navigation,
    notebook_title,
    pages,
    read_config,
)

FALLBACK_NAME = "the fallback renderer"


# raw HTML passes through, as in Pandoc; text from data is escaped before it reaches Markdown
MARKDOWN = mistune.create_markdown(escape=False, plugins=["table", "strikethrough"])
FENCE = re.compile(r"^(:{3,})\s*(?:\{(?P<attrs>[^}]*)\}|(?P<cls>[\w-]+))?\s*$")
SPAN = re.compile(r'\[(?P<text>[^\[\]]*)\]\{(?P<attrs>(?:\s*(?:\.[\w-]+|[\w-]+="[^"]*"))+\s*)\}')
CROSS_REF = re.compile(r"(?<![\w@])@(?P<kind>[Ff]ig|[Tt]bl)-(?P<name>[\w-]*\w)")


def _attributes(text: str) -> tuple[list[str], dict[str, str]]:
    """Pandoc attributes ``.class key="value"`` as (classes, keys)."""
    return re.findall(r"(?:^|\s)\.([\w-]+)", text), dict(re.findall(r'([\w-]+)="([^"]*)"', text))


class PageRendering:
    """One page's rendering state: the numbers of its figures and tables, for captions and references."""

    def __init__(self, numbers: dict[str, str]):
        self.numbers = numbers

    def markdown(self, text: str) -> str:
        """Markdown with fenced divs (callouts), spans and cross-references, as HTML."""
        out: list[str] = []
        buffer: list[str] = []
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            opening = FENCE.match(lines[i])
            if opening and (opening.group("attrs") is not None or opening.group("cls")):
                depth, j = 1, i + 1
                while j < len(lines) and depth:
                    fence = FENCE.match(lines[j])
                    if fence:
                        depth += 1 if (fence.group("attrs") is not None or fence.group("cls")) else -1
                    j += 1
                out.append(self._html("\n".join(buffer)))
                buffer = []
                attrs = opening.group("attrs") if opening.group("attrs") is not None else "." + opening.group("cls")
                out.append(self._div(attrs, "\n".join(lines[i + 1 : j - 1 if depth == 0 else j])))
                i = j
                continue
            buffer.append(lines[i])
            i += 1
        out.append(self._html("\n".join(buffer)))
        return "".join(out)

    def _div(self, attrs: str, body: str) -> str:
        classes, keys = _attributes(attrs)
        callout = next((c for c in classes if c.startswith("callout-")), None)
        if not callout:
            return f'<div class="{" ".join(classes)}">{self.markdown(body)}</div>\n'
        title = ""
        heading = re.match(r"\s*#{1,6} (.+)\n?", body)
        if heading:
            title, body = heading.group(1), body[heading.end() :]
        css = html.escape(" ".join(["callout", *classes]))
        title_html = self.inline(title)
        if keys.get("collapse") == "true":
            return (
                f'<details class="{css}"><summary>{title_html}</summary>\n'
                f'<div class="callout-body">{self.markdown(body)}</div></details>\n'
            )
        header = f'<p class="callout-title">{title_html}</p>' if title else ""
        return f'<div class="{css}" role="note">{header}<div class="callout-body">{self.markdown(body)}</div></div>\n'

    def inline(self, text: str) -> str:
        """Markdown for one line (a caption, a title), without the paragraph around it."""
        rendered = self._html(text).strip()
        return re.sub(r"^<p>(.*)</p>$", r"\1", rendered, flags=re.S)

    def _html(self, text: str) -> str:
        rendered = SPAN.sub(_span, cast(str, MARKDOWN(text)))  # mistune's HTML renderer gives a str

        def reference(match: re.Match) -> str:
            label = f"{match.group('kind').lower()}-{match.group('name')}"
            if label not in self.numbers:
                return match.group(0)  # as Quarto: an unknown reference stays visible, and a test finds it
            word = "Figure" if label.startswith("fig-") else "Table"
            return f'<a href="#{label}" class="cross-ref">{word}&nbsp;{self.numbers[label]}</a>'

        return CROSS_REF.sub(reference, rendered)

    def caption(self, word: str, label: str, text: str) -> str:
        """A figure's or a table's caption, numbered as Quarto numbers it ("Figure&nbsp;2: ...")."""
        number = self.numbers.get(label)
        return (f"{word}&nbsp;{number}: " if number else "") + self.inline(text)


def _span(match: re.Match) -> str:
    """A Pandoc span as HTML; Quarto's content-visible/-hidden spans kept or dropped as for HTML."""
    classes, keys = _attributes(match.group("attrs"))
    formats = keys.get("when-format", "html")
    if ("content-visible" in classes and formats != "html") or ("content-hidden" in classes and formats == "html"):
        return ""
    classes = [c for c in classes if c not in ("content-visible", "content-hidden")]
    return f'<span class="{" ".join(classes)}">{match.group("text")}</span>' if classes else match.group("text")


def title_block(meta: dict, page: PageRendering) -> str:
    """The article's title, subtitle, authors, date and abstract (the front matter helpers.render.article writes,
    all of them), as Quarto shows them."""
    if not meta.get("title"):
        return ""
    title, subtitle, date = (html.escape(str(meta[key])) for key in ("title", "subtitle", "date"))
    authors = html.escape(", ".join(author["name"] for author in meta["author"]))
    abstract = (
        f'<div class="abstract"><p class="abstract-title">Abstract</p>{page.markdown(str(meta["abstract"]))}</div>'
    )
    return (
        f'<header class="title-block"><h1 class="title">{title}</h1><p class="subtitle">{subtitle}</p>'
        f'<p class="byline">{authors} - {date}</p>{abstract}</header>\n'
    )


def numbering(notebook: dict) -> dict[str, str]:
    """label -> number for the page's figures and tables, in order, as Quarto numbers them."""
    labels = [str(read_options(cell).get("label", "")) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    numbered = [[label for label in labels if label.startswith(kind)] for kind in ("fig-", "tbl-")]
    return {label: str(n) for kind in numbered for n, label in enumerate(kind, 1)}


def body_html(notebook: dict, *, figures_dir: Path, figures_href: str) -> str:
    """The page's Markdown and outputs, without code, as an HTML fragment; the charts' PNGs are
    written to `figures_dir` (linked as `figures_href`/<name>)."""
    page = PageRendering(numbering(notebook))
    parts = [title_block(front_matter(notebook), page)]
    for cell in notebook["cells"]:
        if cell["cell_type"] == "markdown":
            parts.append(page.markdown("".join(cell["source"])))
        elif cell["cell_type"] == "code" and not SKIPPED_TAGS & set(cell.get("metadata", {}).get("tags", [])):
            parts.append(_cell_html(page, cell, read_options(cell), figures_dir, figures_href))
    return "\n".join(p for p in parts if p)


def _cell_html(page: PageRendering, cell: dict, options: dict, figures_dir: Path, figures_href: str) -> str:
    label = str(options.get("label", ""))
    wide = " column-page" if options.get("column") == "page" else ""
    images, shown = [], []
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if output.get("output_type") == "stream":
            shown.append(f'<pre class="cell-output">{html.escape("".join(output.get("text", "")))}</pre>')
        elif "image/svg+xml" in data or "image/png" in data:
            images.append(data)
        elif "text/markdown" in data:
            shown.append(page.markdown("".join(data["text/markdown"])))
        elif "text/html" in data:
            shown.append("".join(data["text/html"]))
        elif "".join(data.get("text/plain", "")).strip():
            shown.append(f'<pre class="cell-output">{html.escape("".join(data["text/plain"]))}</pre>')
    if images:
        alts = options.get("fig-alt", "")
        alts = alts if isinstance(alts, list) else [alts]  # one chart's, or each chart's (helpers.render.cell_options)
        subcaps = options.get("fig-subcap", []) if len(images) > 1 else []
        inner = []
        for n, image in enumerate(images):
            alt = alts[n] if n < len(alts) else ""
            if "image/svg+xml" in image:  # in the page itself, where its marks' titles show (helpers.render.inline_svg)
                img = inline_svg("".join(image["image/svg+xml"]), alt=alt)
            else:
                name = f"{label or cell['id']}-{n + 1}.png"
                figures_dir.mkdir(parents=True, exist_ok=True)
                write_bytes_atomic(figures_dir / name, base64.b64decode("".join(image["image/png"])))
                img = f'<img src="{figures_href}/{name}" alt="{html.escape(alt)}" loading="lazy">'
            if subcaps:
                sub = page.inline(subcaps[n]) if n < len(subcaps) else ""
                img = f'<figure class="report-subfigure">{img}<figcaption>({chr(97 + n)}) {sub}</figcaption></figure>'
            inner.append(img)
        if subcaps and int(options.get("layout-ncol", 1)) > 1:  # small multiples: a grid that wraps (styles.css)
            inner = ['<div class="report-panels">' + "".join(inner) + "</div>"]
        caption = page.caption("Figure", label, str(options.get("fig-cap", "")))
        figure = f'<figure class="report-figure{wide}" id="{html.escape(label)}">{"".join(inner)}'
        shown.insert(0, f"{figure}<figcaption>{caption}</figcaption></figure>")
    if label.startswith("tbl-") and shown:
        caption = page.caption("Table", label, caption_from_option(options, "tbl-cap"))
        table = f'<figure class="report-table{wide}" id="{html.escape(label)}"><figcaption>{caption}</figcaption>'
        return table + "".join(shown) + "</figure>"
    if wide and shown:
        return f'<div class="column-page">{"".join(shown)}</div>'
    return "".join(shown)


def build_fallback_site(
    report_dir: Path = REPORT_DIR,
    site_dir: Path | None = None,
    *,
    only: list[str] | None = None,
    provenance_path: Path | None = None,
) -> list[Path]:
    """Build the site from the executed notebooks; return the pages written (`only`: those pages alone, in the site). A
    whole site is built beside the old one and put in its place only when whole."""
    config = read_config(report_dir)
    site = site_dir or report_dir / config["project"].get("output-dir", "_site")
    root = REPORT_DIR.parent
    missing = [str(p.source) for p in pages(report_dir, config) if not (report_dir / p.source).exists()]
    if missing:
        raise FileNotFoundError(f"executed notebooks missing for the site: {', '.join(missing)}; run `make notebooks`")
    site_dir = site.with_name(site.name + ".new") if only is None else site
    if only is None:
        shutil.rmtree(site_dir, ignore_errors=True)
    # the navbar's right side (the PDF article) only where its file exists: Quarto writes it
    nav = navigation(config) + [
        (text, href) for text, href in navigation(config, "right") if (site_dir / href).exists()
    ]
    site_title = html.escape(config["website"]["title"])
    # the navbar's short title (as Quarto shows it), so that the sections fit on one line
    nav_title = html.escape(config["website"]["navbar"].get("title", "") or config["website"]["title"])
    head = citation_meta(root) + '<link rel="icon" href="data:,">\n'  # no favicon file to fetch
    body_start = f"</head>\n<body>\n{banner_html(provenance_path)}"
    footer = (
        f'<footer class="site-footer"><p>{html.escape(credit_line(root))}</p><p>Built by {FALLBACK_NAME} '
        f"(mistune {mistune.__version__}) from the executed notebooks; Quarto was not found on this machine. "
        f"Data: Eurostat (see Data and methods).</p><p>{html.escape(KOSOVO_NOTE)}</p></footer>\n"
    )
    written = []
    site_dir.mkdir(parents=True, exist_ok=True)
    for page in pages(report_dir, config):
        if only is not None and str(page.source) not in only:
            continue
        notebook = with_brief_link(
            json.loads((report_dir / page.source).read_text(encoding="utf-8")), page.source, report_dir
        )
        target = site_dir / page.output
        files = f"{page.source.stem}_files"  # beside the page, as Quarto keeps a page's figures
        body = body_html(notebook, figures_dir=target.parent / files, figures_href=files)
        up = "../" * (len(page.source.parts) - 1)
        current = {str(page.output): ' aria-current="page"'}
        links = "".join(f'<a href="{up}{href}"{current.get(href, "")}>{html.escape(text)}</a>' for text, href in nav)
        write_text_atomic(
            target,
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(notebook_title(notebook, page.source.stem))} - {site_title}</title>\n"
            f'{head}<link rel="stylesheet" href="{up}styles.css">\n{body_start}'
            f'<nav class="site-nav" aria-label="Report sections"><span class="site-title">{nav_title}</span>{links}'
            f'</nav>\n<main id="content">\n{body}\n</main>\n{footer}</body>\n</html>\n',
        )
        written.append(target)
    for pattern in config["project"].get("resources", []):
        for path in sorted(report_dir.glob(pattern)):
            target = site_dir / path.relative_to(report_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    shutil.copyfile(report_dir / "styles.css", site_dir / "styles.css")
    if only is None:
        replace_folder(site_dir, site)
    return written
