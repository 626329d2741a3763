"""The README and docs/ speak of the project only: they name no folder outside the repository (no
`../shared`, no home folder, no path of one machine). docs/tests.md, which says what the tests' fixtures
need, may; placeholders (`/path/to/mirror`) and the system's own folders (`/tmp`, `/proc`) are not folders
of anyone's machine."""

import re

import pytest

from conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FIXTURES_PAGE = ROOT / "docs" / "tests.md"
URL = re.compile(r"\w+://\S+")
LINK = re.compile(r"\]\(([^)\s#]+)")  # a Markdown link's target, relative to the page's folder
PATH = re.compile(r"(?<![\w./~<>$}*-])(\.\./[\w./@-]*|~/[\w./-]*|/[A-Za-z][\w.-]*(?:/[\w.@<>-]*)*)")
NOT_A_MACHINES = ("/path", "/other", "/tmp/", "/proc", "/usr/", "/bin/", "/dev/", "/etc/")


def outside_folders(text: str, page) -> list[str]:
    """The paths `text` names that lie outside the repository: links resolved from the page's folder,
    anything else from the repository's root (where the README's commands run)."""
    found = []
    for target in LINK.findall(text):
        if not URL.match(target) and ROOT not in (page.parent / target).resolve().parents:
            found.append(target)
    text = URL.sub(" ", LINK.sub("](", text))
    for path in PATH.findall(text):
        if path.startswith("~/") or (path.startswith("/") and not path.startswith(NOT_A_MACHINES)):
            found.append(path)
        elif path.startswith("../") and ROOT not in (ROOT / path).resolve().parents:
            found.append(path)
    return found


@pytest.mark.parametrize("page", [p for p in PAGES if p != FIXTURES_PAGE], ids=lambda p: p.name)
def test_the_readme_and_docs_name_no_folder_outside_the_repository(page):
    assert outside_folders(page.read_text(encoding="utf-8"), page) == []


def test_the_rule_finds_a_workshops_folder_a_home_and_a_machines_path_but_not_a_link_inside():
    page = ROOT / "docs" / "building.md"
    text = (
        "make report EUROSTAT_MIRROR=../shared/eurostat-synthetic; see [the README](../README.md), "
        "`~/.cache/quarto`, /work/quarto-build/bin, [out](../../elsewhere.md), /path/to/mirror, "
        "/tmp/youth.ipynb, https://doi.org/10.1787/5jxrcmghmk0s-en, HTML/PDF, `/proc`"
    )
    assert outside_folders(text, page) == [
        "../../elsewhere.md",
        "../shared/eurostat-synthetic",
        "~/.cache/quarto",
        "/work/quarto-build/bin",
    ]


@pytest.mark.parametrize("page", [p for p in PAGES if p != FIXTURES_PAGE], ids=lambda p: p.name)
def test_the_readme_and_docs_speak_of_the_project_not_of_the_machine_they_were_written_on(page):
    text = " ".join(page.read_text(encoding="utf-8").lower().split())
    assert [p for p in ("from here", "this machine", "untested here", "here, then") if p in text] == []
