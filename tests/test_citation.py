"""The report's citation (helpers.publish.citation and the article's title block): the version always,
the DOI only once CITATION.cff has one, as a https://doi.org/ link; CITATION.cff itself valid."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import ROOT
from conftest import schema_check as check_jsonschema
from helpers.publish.citation import citation_markdown, doi_url, read_citation, report_doi
from helpers.render.article import front_matter

DOI = "10.5281/zenodo.1234567"
LINK = f"[https://doi.org/{DOI}](https://doi.org/{DOI})"


def cff_with(tmp_path: Path, **changes) -> Path:
    """The committed CITATION.cff with `changes` (a value None removes the key), written to tmp_path."""
    cff = read_citation(ROOT / "CITATION.cff")
    for key, value in changes.items():
        if value is None:
            cff.pop(key, None)
        else:
            cff[key] = value
    path = tmp_path / "CITATION.cff"
    path.write_text(yaml.safe_dump(cff, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def this_report(markdown: str) -> str:
    """The Cite page's section on the report (its version line, its APA line, its BibTeX entry)."""
    return markdown.split("## The paper")[0]


def article_meta(path: Path) -> dict:
    return yaml.safe_load(front_matter(read_citation(path), abstract="An abstract.", synthetic=False).strip("-\n"))


def test_without_a_doi_the_cite_page_and_the_article_show_the_version_and_no_doi(tmp_path):
    path = cff_with(tmp_path, doi=None, identifiers=None)
    section = this_report(citation_markdown(path))
    version = read_citation(path)["version"]
    assert f"Version {version}, released" in section and f"(Version {version})" in section
    assert f"version = {{{version}}}" in section
    assert "doi" not in section.lower(), "no DOI, and no placeholder for one"
    meta = article_meta(path)
    assert meta["subtitle"].endswith(f"version {version}")
    assert "doi" not in meta and "subtitle" not in meta["format"]["typst"]


def test_a_doi_in_citation_cff_is_a_doi_org_link_on_the_cite_page_in_bibtex_and_in_the_article(tmp_path):
    path = cff_with(tmp_path, doi=DOI)
    section = this_report(citation_markdown(path))
    version_line, apa_line = section.splitlines()[1], section.splitlines()[3]
    assert version_line.startswith("Version ") and LINK in version_line
    assert r"\[Computer software\]" in apa_line and apa_line.endswith(LINK)  # brackets as text, not a link
    assert f"  doi = {{{DOI}}}," in section and f"  url = {{https://doi.org/{DOI}}}," in section
    meta = article_meta(path)
    assert meta["doi"] == DOI  # the web version's title block links it
    assert meta["format"]["typst"]["subtitle"].endswith(f"DOI {LINK}")  # the PDF's title block


def test_the_doi_may_be_an_identifiers_entry_of_type_doi(tmp_path):
    identifiers = [{"type": "url", "value": "https://example.org/not-a-doi"}, {"type": "doi", "value": DOI}]
    path = cff_with(tmp_path, doi=None, identifiers=identifiers)
    assert report_doi(read_citation(path)) == DOI
    assert LINK in this_report(citation_markdown(path))
    assert report_doi({"identifiers": identifiers[:1]}) is None
    assert doi_url(DOI) == f"https://doi.org/{DOI}"


def test_the_sites_address_is_shown_where_citation_cff_has_one(tmp_path):
    site = "https://example.org/oecd-social-media/"
    section = this_report(citation_markdown(cff_with(tmp_path, url=site, doi=None, identifiers=None)))
    assert f"Online at [{site}]({site})." in section and f"  url = {{{site}}}," in section
    assert "Online at" not in this_report(citation_markdown(cff_with(tmp_path, url=None)))


def test_quartos_citation_metadata_has_the_same_doi_as_citation_cff():
    """report/_quarto.yml's `citation` (the citation_* tags Quarto writes) is kept by hand: when a
    release adds a DOI to CITATION.cff, it goes there too (docs/releasing.md)."""
    config = yaml.safe_load((ROOT / "report" / "_quarto.yml").read_text(encoding="utf-8"))
    assert config["citation"].get("doi") == report_doi(read_citation(ROOT / "CITATION.cff"))


def schema_check(path: Path) -> subprocess.CompletedProcess:
    return check_jsonschema("vendor.citation-file-format", path)


def test_citation_cff_and_the_doi_forms_read_here_are_valid_citation_file_format(tmp_path):
    """Against the Citation File Format's schema (check-jsonschema's copy, offline); a DOI that is a
    URL (not what the format allows) is refused, so the check can fail."""
    assert schema_check(ROOT / "CITATION.cff").returncode == 0
    for name, changes in {"doi": {"doi": DOI}, "identifiers": {"identifiers": [{"type": "doi", "value": DOI}]}}.items():
        folder = tmp_path / name
        folder.mkdir()
        result = schema_check(cff_with(folder, **changes))
        assert result.returncode == 0, f"{name}: {result.stdout}"
    broken = tmp_path / "broken"
    broken.mkdir()
    assert schema_check(cff_with(broken, doi=f"https://doi.org/{DOI}")).returncode != 0


@pytest.mark.e2e  # runs cffconvert, fetched from PyPI by uv
def test_cffconvert_validates_citation_cff():
    """cffconvert, the converter `make release` uses, in an environment of its own (it pins jsonschema<4,
    which Jupyter's packages cannot share); skipped where uv cannot fetch it from PyPI."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not uv:
        pytest.skip("uv not found: cffconvert cannot be run in an environment of its own")
    result = subprocess.run(
        [uv, "tool", "run", "--from", "cffconvert", "cffconvert", "--validate", "-i", str(ROOT / "CITATION.cff")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    if (
        result.returncode != 0
        and "Citation metadata are valid" not in result.stdout
        and (
            "error sending request" in result.stderr.lower()
            or "failed to fetch" in result.stderr.lower()
            or "network" in result.stderr.lower()
        )
    ):
        pytest.skip(f"uv could not fetch cffconvert from PyPI: {result.stderr.strip().splitlines()[-1]}")
    assert result.returncode == 0, result.stdout + result.stderr
