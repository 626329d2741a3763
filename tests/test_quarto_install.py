"""Quarto for `make env` (helpers.base.quarto_install), without a network: the PATH's Quarto first, the
virtual environment's second, else quarto-cli installed at CI's version; where that fails, one line and
the fallback renderer."""

from pathlib import Path

import pytest

from helpers.base import quarto_install
from helpers.base.quarto_install import QUARTO_VERSION, ensure_quarto

# what pip prints when quarto-cli's set-up cannot download Quarto (its own line, then pip's)
OFFLINE = (
    "Downloading https://github.com/quarto-dev/quarto-cli/releases/download/v1.11.9/quarto-1.11.9-linux-amd64.tar.gz\n"
    "Error downloading Quarto: <urlopen error [Errno -3] Temporary failure in name resolution>\n"
    "ValueError: nothing to open\n"
    "ERROR: Failed to build 'quarto-cli' when getting requirements to build wheel\n"
)


def program(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "quarto").write_text("#!/bin/sh\n")
    (folder / "quarto").chmod(0o755)
    return str(folder / "quarto")


class Installer:
    """pip as quarto-cli meets it: `puts` a quarto into the venv and succeeds, or fails with `output`."""

    def __init__(self, venv: Path, *, works: bool, output: str = ""):
        self.venv, self.works, self.output, self.asked = venv, works, output, []

    def __call__(self, requirement):
        self.asked.append(requirement)
        if self.works:
            program(self.venv / "bin")
        return self.works, self.output


@pytest.fixture
def venv(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(quarto_install, "installed_version", lambda: None)
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    return tmp_path / "venv"


def test_a_quarto_on_the_path_is_used_first_and_nothing_is_installed(venv, tmp_path, monkeypatch):
    on_path = program(tmp_path / "elsewhere")
    program(venv / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "elsewhere"))
    install, said = Installer(venv, works=True), []
    assert ensure_quarto(venv, install=install, say=said.append) == on_path
    assert install.asked == [] and said == []


def test_the_virtual_environments_quarto_at_the_pinned_version_is_used_second(venv, monkeypatch):
    in_venv = program(venv / "bin")
    monkeypatch.setattr(quarto_install, "installed_version", lambda: QUARTO_VERSION)
    install, said = Installer(venv, works=True), []
    assert ensure_quarto(venv, install=install, say=said.append) == in_venv
    assert install.asked == [] and said == []


def test_with_neither_quarto_cli_is_installed_at_cis_version(venv):
    install, said = Installer(venv, works=True), []
    assert ensure_quarto(venv, install=install, say=said.append) == str(venv / "bin" / "quarto")
    assert install.asked == [f"quarto-cli=={QUARTO_VERSION}"] and said == []


def test_another_version_in_the_virtual_environment_is_replaced(venv, monkeypatch):
    program(venv / "bin")
    monkeypatch.setattr(quarto_install, "installed_version", lambda: "1.10.19")
    install = Installer(venv, works=True)
    assert ensure_quarto(venv, install=install, say=pytest.fail) == str(venv / "bin" / "quarto")
    assert install.asked == [f"quarto-cli=={QUARTO_VERSION}"]


def test_without_network_one_line_says_so_and_the_fallback_builds_the_site(venv):
    said = []
    assert ensure_quarto(venv, install=Installer(venv, works=False, output=OFFLINE), say=said.append) is None
    assert len(said) == 1 and "\n" not in said[0]
    assert said[0] == (
        f"Quarto {QUARTO_VERSION} not installed (quarto-cli downloads it from github.com: Error downloading "
        "Quarto: <urlopen error [Errno -3] Temporary failure in name resolution>): the fallback renderer "
        "builds the site, without the PDF (docs/building.md)"
    )


def test_a_failed_install_names_pips_error_when_quarto_cli_said_nothing(venv):
    said = []
    output = "ERROR: Could not find a version that satisfies the requirement quarto-cli==1.11.9\n"
    ensure_quarto(venv, install=Installer(venv, works=False, output=output), say=said.append)
    assert "(quarto-cli downloads it from github.com: Could not find a version" in said[0]


def test_without_network_pip_is_not_even_started(venv, monkeypatch):
    """The default installer asks github.com first: without network the line comes in a second, not after
    pip has fetched and built quarto-cli's sources to fail on the download."""
    from urllib.error import URLError

    def offline(request, timeout):
        assert request.full_url == quarto_install.QUARTO_RELEASE and request.get_method() == "HEAD"
        raise URLError("[Errno -2] Name or service not known")

    monkeypatch.setattr(quarto_install, "urlopen", offline)
    monkeypatch.setattr(quarto_install.subprocess, "run", lambda *a, **k: pytest.fail("pip started"))
    said = []
    assert ensure_quarto(venv, say=said.append) is None
    assert said == [
        f"Quarto {QUARTO_VERSION} not installed (quarto-cli downloads it from github.com: github.com cannot be "
        "reached ([Errno -2] Name or service not known)): the fallback renderer builds the site, without the "
        "PDF (docs/building.md)"
    ]
