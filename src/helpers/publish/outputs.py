"""The forms of what a notebook cell shows, for each reader: `Shown` (Markdown with its metadata), `Markup`
(Markdown a caller built, put in a table as it is), a callout, the synthetic-data warning, a verdict, a
collapsed section. Tables are `helpers.publish.tables`, charts `helpers.publish.figures`.

Two readers see these outputs. In a build (a kernel the runner started: `for_renderers`), the
Markdown is the renderers' own: the warning a Quarto callout (``::: {.callout-warning ...}``), a
verdict a Pandoc span with its class, which Quarto and the fallback renderer turn into a coloured
box and coloured words. Anywhere else (a notebook run by hand in JupyterLab), the same outputs are
Markdown a notebook front end renders: the warning in the alert box JupyterLab styles, a verdict in
words. One bundle cannot carry both (Quarto takes ``text/html`` before ``text/markdown`` in HTML
pages), so each output is made for the reader of the kernel it runs in.
"""

from __future__ import annotations

import html
import os

from helpers.publish import BUILD_VARIABLE, REPORT_KEY
from helpers.publish.provenance import SYNTHETIC_NOTICE, is_synthetic
from helpers.publish.text import markdown_text


class Shown:
    """A Markdown output, with optional metadata (a table's caption, the verdicts a page states).

    Its plain-text form is fixed text, never an object address, so outputs stay the same from
    run to run."""

    def __init__(self, markdown: str, text: str = "", metadata: dict | None = None):
        self.markdown = markdown
        self.text = text or markdown
        self.metadata = metadata or {}

    def _repr_markdown_(self):
        return (self.markdown, self.metadata) if self.metadata else self.markdown

    def __repr__(self) -> str:
        return self.text


class Markup:
    """Markdown the caller built (a link, a verdict span): put in a table cell as it is."""

    def __init__(self, markdown: str):
        self.markdown = markdown

    def __str__(self) -> str:
        return self.markdown


def for_renderers() -> bool:
    """Whether this kernel's outputs are for the build's renderers (True: the runner started it with
    BUILD_VARIABLE=1) or for a person in a notebook front end such as JupyterLab (False: a kernel
    started by hand has no such variable, so nobody has to do anything to get that form)."""
    return os.environ.get(BUILD_VARIABLE) == "1"


# Quarto's callout kinds and the alert boxes of the classic notebook, which JupyterLab still styles
ALERT_CLASSES = {"warning": "alert-warning", "note": "alert-info"}


def callout(kind: str, css: str, body: str, *, title: str = "") -> str:
    """A box around Markdown: a Quarto callout (``::: {.callout-<kind> .<css>}``) for the renderers,
    a ``<div class="alert ...">`` around the same Markdown for a notebook front end."""
    if for_renderers():
        return f"::: {{.callout-{kind} .{css}}}\n" + (f"## {title}\n\n" if title else "") + f"{body}\n:::\n"
    heading = f"**{title}**\n\n" if title else ""
    return f'<div class="alert {ALERT_CLASSES[kind]} {css}">\n\n{heading}{body}\n\n</div>\n'


def banner(provenance: dict) -> Shown:
    """The synthetic-data warning (a callout), at the top of every notebook built from a synthetic mirror."""
    if not is_synthetic(provenance):
        return Shown("", text="")
    return Shown(
        callout("warning", "synthetic-data", f"**{markdown_text(SYNTHETIC_NOTICE)}**", title="Synthetic data"),
        text=SYNTHETIC_NOTICE,
    )


def verdict_span(verdict: str) -> Markup:
    """A verdict, spelled out everywhere: in a build, a Pandoc span with its class (coloured on the web);
    in a notebook front end, the words in bold (a span's braces would show as they are)."""
    if not for_renderers():
        return Markup(f"**{markdown_text(verdict)}**")
    css = "verdict-" + verdict.split(" (")[0].replace(" ", "-")
    return Markup(f"[{markdown_text(verdict)}]{{.verdict .{css}}}")


def collapsed(title: str, body: str | Shown) -> Shown:
    """A section a reader opens with one click on the web: HTML's own <details> around Markdown
    (Pandoc and mistune read the Markdown inside; a browser makes it a keyboard-operable
    disclosure). Quarto's collapsed callout is not used: its toggle is a div with aria-expanded,
    which axe-core reports as a critical violation. A table inside keeps its caption, above it
    (tables in a collapsed section are not numbered)."""
    if isinstance(body, Shown):
        caption = body.metadata.get(REPORT_KEY, {}).get("caption", "")
        body = (f"*{caption}*\n\n" if caption else "") + body.markdown
    return Shown(
        f'<details class="report-details">\n<summary>{html.escape(title)}</summary>\n\n{body}\n\n</details>\n',
        text=title,
    )
