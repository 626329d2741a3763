"""How to cite the report, the paper and the data, read from CITATION.cff.

The report's version is CITATION.cff's `version`; its DOI, once a release has one (Zenodo mints it,
docs/releasing.md), is CITATION.cff's `doi` or its first `identifiers` entry of type doi. Before
there is a DOI nothing stands in its place.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from helpers.publish.text import bibtex_text, markdown_link, markdown_text

DOI_RESOLVER = "https://doi.org/"


def read_citation(path: str | Path) -> dict:
    """CITATION.cff as a dict."""
    return yaml.safe_load(Path(path).read_text(encoding="utf-8"))


def report_doi(cff: dict) -> str | None:
    """The report's DOI (``10.5281/zenodo.…``): CITATION.cff's `doi`, else the first `identifiers`
    entry of type doi; None while there is none."""
    if cff.get("doi"):
        return str(cff["doi"])
    for identifier in cff.get("identifiers") or []:
        if identifier.get("type") == "doi" and identifier.get("value"):
            return str(identifier["value"])
    return None


def doi_url(doi: str) -> str:
    """The address that resolves a DOI."""
    return DOI_RESOLVER + doi


def author_names(authors: list[dict]) -> str:
    return "; ".join(a.get("name") or f"{a['family-names']}, {a['given-names']}" for a in authors)


def citation_markdown(path: str | Path) -> str:
    """The report's (version, DOI where there is one, an APA-style line and a BibTeX entry), the
    paper's and Eurostat's citations, as Markdown."""
    cff = read_citation(path)
    authors = author_names(cff["authors"])
    year = str(cff["date-released"])[:4]
    doi, site = report_doi(cff), cff.get("url")
    m, link = markdown_text, markdown_link
    released = f"Version {m(cff['version'])}, released {m(cff['date-released'])}"
    lines = [
        "## This report",
        released + (f"; DOI {link(doi_url(doi))}." if doi else ".") + (f" Online at {link(site)}." if site else ""),
        "",
        f"{m(authors)} ({m(year)}). *{m(cff['title'])}* (Version {m(cff['version'])}) \\[Computer software\\]."
        + (f" {link(doi_url(doi))}" if doi else (f" {link(site)}" if site else "")),
        "",
        "```bibtex",
        f"@software{{oecd_social_media_report_{bibtex_text(year)},",
        f"  title = {{{bibtex_text(cff['title'])}}},",
        f"  author = {{{bibtex_text(authors)}}},",
        f"  year = {{{bibtex_text(year)}}},",
        f"  version = {{{bibtex_text(cff['version'])}}},",
        *([f"  doi = {{{bibtex_text(doi)}}},"] if doi else []),
        *([f"  url = {{{bibtex_text(doi_url(doi) if doi else site)}}},"] if doi or site else []),
        "}",
        "```",
    ]
    for reference in cff.get("references", []):
        names = author_names(reference["authors"])
        if reference["type"] == "report":
            lines += [
                "## The paper",
                f"{m(names)} ({m(reference['year'])}), \"{m(reference['title'])}\", *{m(reference['collection-title'])}*, "
                f"No. {m(reference['number'])}, {m(reference['publisher']['name'])}. "
                + link(doi_url(reference["doi"])),
            ]
        else:
            lines += [
                "## The data",
                f"{m(names)}: {m(reference['title'])}. {link(reference['url']) if reference.get('url') else ''}",
                "",
                'Cite each figure as "Source: Eurostat (online data code: *the dataset\'s code*)" with its retrieval date.',
            ]
    return "\n".join(lines)
