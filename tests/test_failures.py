"""Failures keep good files: a killed notebook, a full disk, hostile text. Unit level (fast)."""

from __future__ import annotations

import errno
import json

import pytest

from helpers.pipeline import notebook_runner, site  # noqa: F401
from helpers.render import site_config
from helpers.publish.citation import citation_markdown
from helpers.publish.text import markdown_link, markdown_text, plain_text

from test_site import markdown_output, tiny_notebook


def test_a_killed_run_leaves_no_scratch_notebook_beside_the_output(tmp_path, monkeypatch):
    import papermill

    written = []

    def killed(source, scratch, **kwargs):
        written.append(scratch)
        with open(scratch, "w") as handle:
            handle.write("{}")  # papermill saves as it goes
        raise KeyboardInterrupt  # the run is killed mid-way

    monkeypatch.setattr(papermill, "execute_notebook", killed)
    monkeypatch.setattr(notebook_runner, "_prestarted", True)  # no kernel: papermill never runs one here
    output = tmp_path / "countries" / "EL.ipynb"
    with pytest.raises(KeyboardInterrupt):
        notebook_runner.execute("30_country_profile", {"country": "EL"}, output)
    assert written and not str(written[0]).startswith(str(tmp_path))
    assert list(output.parent.iterdir()) == []


def test_scratch_notebooks_of_earlier_runs_are_removed_and_never_rendered(tmp_path):
    (tmp_path / "countries").mkdir()
    for name in ("countries/EL.ipynb", "countries/.EL.x8k2_q.ipynb", "index.ipynb"):
        (tmp_path / name).write_text(json.dumps(tiny_notebook("A page", markdown_output("x"))))
    (tmp_path / "_quarto.yml").write_text("project:\n  render: [index.ipynb, 'countries/*.ipynb']\n")
    assert [str(p.source) for p in site_config.pages(tmp_path)] == ["index.ipynb", "countries/EL.ipynb"]
    notebook_runner.remove_stale_scratch(tmp_path / "countries" / "EL.ipynb")
    assert sorted(p.name for p in (tmp_path / "countries").iterdir()) == ["EL.ipynb"]


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_a_full_disk_is_one_line_not_a_traceback(monkeypatch, capsys):
    monkeypatch.setattr(notebook_runner, "execute", disk_full)
    assert notebook_runner.main(["10_youth_civic"]) == 1
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "disk is full" in err and "Traceback" not in err


def test_a_full_disk_while_keeping_the_baseline_keeps_the_old_one(tmp_path, monkeypatch, capsys):
    report = tmp_path
    (report / ".previous").mkdir()
    (report / ".previous" / "index.ipynb").write_text("old baseline")
    (report / "index.ipynb").write_text("new run")
    (report / "cite.ipynb").write_text("new run")
    calls = []

    def copy_then_fail(source, target):
        calls.append(source)
        if len(calls) == 2:
            disk_full()
        target.write_text(source.read_text())

    monkeypatch.setattr(notebook_runner.shutil, "copy2", copy_then_fail)
    with pytest.raises(OSError):
        notebook_runner.keep_previous(report)
    assert (report / ".previous" / "index.ipynb").read_text() == "old baseline"
    assert not (report / ".previous.new").exists()
    monkeypatch.undo()
    notebook_runner.keep_previous(report)
    assert sorted(p.name for p in (report / ".previous").iterdir()) == ["cite.ipynb", "index.ipynb"]
    assert (report / ".previous" / "index.ipynb").read_text() == "new run"


HOSTILE = '<script>alert("x")</script> *bold* [link](javascript:alert(1)) & `code`'


def test_text_from_data_is_shown_as_text():
    escaped = markdown_text(HOSTILE)
    assert "<script>" not in escaped and "&lt;script&gt;" in escaped
    assert "\\[link\\]" in escaped  # not a link
    assert markdown_text("@Presidencia_Ec") == "\\@Presidencia\\_Ec"  # a Twitter handle, not a Pandoc citation
    assert plain_text(escaped) == HOSTILE
    assert markdown_link("javascript:alert(1)") == "javascript:alert(1)"


def test_a_hostile_citation_title_is_escaped(tmp_path):
    from conftest import ROOT

    cff = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    hostile = tmp_path / "CITATION.cff"
    hostile.write_text(cff.replace("title:", f"title: '{HOSTILE}'\nold-title:", 1), encoding="utf-8")
    text = citation_markdown(hostile)
    # outside the BibTeX code block (which a renderer shows as text) nothing is markup
    prose = text.split("```bibtex")[0] + text.split("```")[-1]
    assert "<script>" not in prose and "&lt;script&gt;" in prose
    meta = site_config.citation_meta(tmp_path)
    assert "<script>" not in meta
