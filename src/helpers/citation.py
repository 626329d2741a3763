"""How to cite the report, the paper and the data, read from CITATION.cff."""

from __future__ import annotations

from pathlib import Path

import yaml


def citation_markdown(path: str | Path) -> str:
    """The report's, the paper's and Eurostat's citations, as Markdown, with a BibTeX entry."""
    cff = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    authors = "; ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in cff["authors"])
    year = str(cff["date-released"])[:4]
    lines = [
        "## This report",
        f"{authors} ({year}). *{cff['title']}*, version {cff['version']}.",
        "",
        "```bibtex",
        f"@software{{oecd_social_media_report_{year},",
        f"  title = {{{cff['title']}}},",
        f"  author = {{{authors}}},",
        f"  year = {{{year}}},",
        f"  version = {{{cff['version']}}},",
        "}",
        "```",
    ]
    for reference in cff.get("references", []):
        names = "; ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in reference["authors"])
        if reference["type"] == "report":
            lines += [
                "## The paper",
                f"{names} ({reference['year']}), \"{reference['title']}\", *{reference['collection-title']}*, "
                f"No. {reference['number']}, {reference['publisher']['name']}. https://doi.org/{reference['doi']}",
            ]
        else:
            lines += ["## The data", f"{names}: {reference['title']}. {reference.get('url', '')}",
                      "", "Cite each figure as \"Source: Eurostat (online data code: <code>)\" with its retrieval date."]
    return "\n".join(lines)
