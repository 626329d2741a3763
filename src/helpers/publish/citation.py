"""How to cite the report, the paper and the data, read from CITATION.cff.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers.publish.text import bibtex_text, markdown_link, markdown_text


def citation_markdown(path: str | Path) -> str:
    """The report's, the paper's and Eurostat's citations, as Markdown, with a BibTeX entry."""
    cff = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    authors = "; ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"])
    year = str(cff["date-released"])[:4]
    m, link = markdown_text, markdown_link
    lines = [
        "## This report",
        f"{m(authors)} ({m(year)}). *{m(cff['title'])}*, version {m(cff['version'])}.",
        "",
        "```bibtex",
        f"@software{{oecd_social_media_report_{bibtex_text(year)},",
        f"  title = {{{bibtex_text(cff['title'])}}},",
        f"  author = {{{bibtex_text(authors)}}},",
        f"  year = {{{bibtex_text(year)}}},",
        f"  version = {{{bibtex_text(cff['version'])}}},",
        "}",
        "```",
    ]
    for reference in cff.get("references", []):
        names = "; ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in reference["authors"])
        if reference["type"] == "report":
            lines += [
                "## The paper",
                f"{m(names)} ({m(reference['year'])}), \"{m(reference['title'])}\", *{m(reference['collection-title'])}*, "
                f"No. {m(reference['number'])}, {m(reference['publisher']['name'])}. "
                + link(f"https://doi.org/{reference['doi']}"),
            ]
        else:
            lines += ["## The data", f"{m(names)}: {m(reference['title'])}. {link(reference['url']) if reference.get('url') else ''}",
                      "", "Cite each figure as \"Source: Eurostat (online data code: *the dataset's code*)\" with its retrieval date."]
    return "\n".join(lines)
