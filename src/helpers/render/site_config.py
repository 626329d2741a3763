"""The report's site as ``report/_quarto.yml`` declares it: its pages, navigation, titles, the banner and the citation
lines every page carries. Quarto and the fallback renderer read the same file."""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from helpers.publish.citation import read_citation
from helpers.publish.provenance import SYNTHETIC_NOTICE
from helpers.publish.text import plain_text
from helpers.render import article

REPORT_DIR = Path(__file__).resolve().parents[3] / "report"


@dataclass(frozen=True)
class Page:
    source: Path  # executed notebook, relative to the report folder

    @property
    def output(self) -> Path:
        return self.source.with_suffix(".html")


def read_config(report_dir: Path = REPORT_DIR) -> dict:
    return yaml.safe_load((report_dir / "_quarto.yml").read_text(encoding="utf-8"))


def navigation(config: dict, side: str = "left") -> list[tuple[str, str]]:
    """(text, target) for each navbar entry of one side: a page's .html, or a file (the PDF)."""
    return [
        (
            item.get("text") or item.get("aria-label", ""),
            str(Path(item["href"]).with_suffix(".html")) if item["href"].endswith(".ipynb") else item["href"],
        )
        for item in config["website"]["navbar"].get(side, [])
    ]


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


def front_matter(notebook: dict) -> dict:
    """The YAML of a notebook's first cell when it is a raw cell of front matter (the article), else {}."""
    cells = notebook.get("cells", [])
    if cells and cells[0]["cell_type"] == "raw":
        text = "".join(cells[0]["source"])
        if text.startswith("---\n"):
            return yaml.safe_load(text.split("---\n")[1]) or {}
    return {}


def notebook_title(notebook: dict, fallback: str) -> str:
    """The title in the front matter, else the first level-one heading of the notebook: its
    markdown, or a Markdown output (country pages)."""
    if front_matter(notebook).get("title"):
        return str(front_matter(notebook)["title"])
    for cell in notebook["cells"]:
        outputs = [output.get("data", {}).get("text/markdown", "") for output in cell.get("outputs", [])]
        for text in [cell["source"]] if cell["cell_type"] == "markdown" else outputs:
            match = re.search(r"^# (.+)$", "".join(text), re.M)
            if match:
                return plain_text(match.group(1).strip())
    return fallback


def banner_html(provenance_path: Path | None) -> str:
    """The page-level warning, first thing in the page (the fallback's <body>, Quarto's include): the synthetic
    notice when the data's provenance (by default the store's) says so, else nothing."""
    path = provenance_path or REPORT_DIR.parent / "data" / "processed" / "provenance.json"
    if path.exists() and json.loads(path.read_text()).get("synthetic"):
        notice = html.escape(SYNTHETIC_NOTICE)
        return f'<div class="synthetic-banner page-banner" role="alert"><strong>{notice}</strong></div>\n'
    return ""


KOSOVO_NOTE = (
    "Kosovo*: this designation is without prejudice to positions on status, and is in line with "
    "UNSCR 1244/1999 and the ICJ Opinion on the Kosovo declaration of independence."
)


def credit_line(root: Path) -> str:
    """'<authors>, <title>, version <v>, <date>' from CITATION.cff, for every page's footer."""
    cff = read_citation(root / "CITATION.cff")
    authors = "; ".join(author["name"] for author in article.authors(cff))
    return f"{authors}, {cff.get('title', '')}, version {cff.get('version', '')}, {cff.get('date-released', '')}."


def citation_meta(root: Path) -> str:
    """Highwire-style citation tags from CITATION.cff, for reference managers."""
    cff = read_citation(root / "CITATION.cff")
    tags = [("citation_title", cff.get("title", ""))]
    for author in cff.get("authors", []):
        name = author.get("name") or f"{author.get('family-names', '')}, {author.get('given-names', '')}".strip(", ")
        tags.append(("citation_author", name))
    if cff.get("date-released"):
        tags.append(("citation_publication_date", str(cff["date-released"]).replace("-", "/")))
    if cff.get("version"):
        tags.append(("citation_version", str(cff["version"])))
    return "".join(f'<meta name="{k}" content="{html.escape(str(v))}">\n' for k, v in tags if v)
