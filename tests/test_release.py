"""`make release`: one archive, the same bytes twice, that checks and rebuilds; a mirror that keeps the
original retrieval of a release's data; the refusals (a stale site, uncommitted changes)."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import time

import pytest
import yaml

from conftest import ROOT
from eurostat_standin import StandIn
from helpers.acquire.settings import FetchSettings
from helpers.base.errors import MalformedFile
from helpers.pipeline import release
from helpers.publish.provenance import how_received, origin_statement
from helpers.store.refresh import fetch_all
from pipeline import clean_clone, run_make

CFF = (ROOT / "CITATION.cff").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the archive's bytes


def test_the_archive_is_the_same_bytes_twice_with_fixed_names_times_owners_and_gzip_header(tmp_path):
    (tmp_path / "three").write_bytes(b"3")
    files = {"b/two.txt": b"2\n", "a.txt": b"1\n", "b/c/three.txt": tmp_path / "three"}
    first = release.write_archive(tmp_path / "one" / "x-1.tar.gz", "x-1", files, 1_700_000_000).read_bytes()
    os.utime(tmp_path / "three", (0, 0))  # a file's own time never reaches the archive
    time.sleep(1.1)
    second = release.write_archive(
        tmp_path / "two" / "x-1.tar.gz", "x-1", dict(reversed(files.items())), 1_700_000_000
    ).read_bytes()
    assert first == second
    assert first[:2] == b"\x1f\x8b" and first[4:8] == b"\0\0\0\0" and not first[3] & 0x08  # no time, no file name
    with tarfile.open(tmp_path / "one" / "x-1.tar.gz") as tar:
        members = tar.getmembers()
    assert [m.name for m in members] == ["x-1", "x-1/a.txt", "x-1/b", "x-1/b/c", "x-1/b/c/three.txt", "x-1/b/two.txt"]
    assert {(m.mtime, m.uid, m.gid, m.uname, m.gname) for m in members} == {(1_700_000_000, 0, 0, "", "")}
    assert {m.name: m.mode for m in members}["x-1/b"] == 0o755 and {m.name: m.mode for m in members}[
        "x-1/a.txt"
    ] == 0o644


def test_sha256sums_is_in_the_format_sha256sum_checks(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "x y.csv").write_bytes(b"a,b\n")
    (tmp_path / "README.md").write_bytes(b"# r\n")
    sums = release.sha256sums({"data/x y.csv": tmp_path / "data" / "x y.csv", "README.md": b"# r\n"})
    assert sums.decode() == (
        f"{hashlib.sha256(b'# r' + bytes([10])).hexdigest()}  README.md\n"
        f"{hashlib.sha256(b'a,b' + bytes([10])).hexdigest()}  data/x y.csv\n"
    )
    (tmp_path / "SHA256SUMS").write_bytes(sums)
    checker = (
        ["sha256sum", "-c"]
        if shutil.which("sha256sum")
        else ["shasum", "-a", "256", "-c"] if shutil.which("shasum") else None
    )
    if checker:
        assert subprocess.run([*checker, "SHA256SUMS"], cwd=tmp_path, capture_output=True).returncode == 0
        (tmp_path / "README.md").write_bytes(b"# changed\n")
        assert subprocess.run([*checker, "SHA256SUMS"], cwd=tmp_path, capture_output=True).returncode != 0


def test_the_citation_gets_the_release_date_and_the_commit_and_keeps_the_rest():
    filled = release.filled_citation(CFF, date="2027-01-31", commit="f" * 40)
    cff = yaml.safe_load(filled)
    assert str(cff["date-released"]) == "2027-01-31" and cff["commit"] == "f" * 40
    assert cff["version"] == yaml.safe_load(CFF)["version"] and cff["references"] == yaml.safe_load(CFF)["references"]
    # every line but the date's is kept as written; the commit is added once
    assert [line for line in filled.splitlines() if not line.startswith(("date-released:", "commit:"))] == [
        line for line in CFF.splitlines() if not line.startswith("date-released:")
    ]
    assert release.filled_citation(filled, date="2027-02-01", commit="e" * 40).count("commit:") == 1


@pytest.mark.e2e  # runs cffconvert, fetched from PyPI by uv
def test_zenodo_json_is_converted_by_cffconvert(tmp_path):
    if not (shutil.which("uv", path=str(os.path.dirname(os.sys.executable))) or shutil.which("uv")):
        pytest.skip("uv not found: cffconvert cannot run in an environment of its own here")
    text = release.filled_citation(CFF, date="2027-01-31", commit="f" * 40)
    zenodo = json.loads(release.zenodo_json(text, tmp_path))
    cff = yaml.safe_load(text)
    assert zenodo["title"] == cff["title"] and zenodo["version"] == str(cff["version"])
    assert zenodo["publication_date"] == "2027-01-31" and zenodo["license"] == {"id": "MIT"}


# ----------------------------------------------------------------------------- the refusals


def checkout(tmp_path):
    """A tiny committed checkout with a built site, data and notebooks, as make leaves them."""
    root = tmp_path / "checkout"
    for name in (
        "notebooks/10_x.ipynb",
        "data/raw/x.provenance.json",
        "data/processed/ict_usage.parquet",
        "report/x.ipynb",
        "report/_site/index.html",
        "report/_site/.built-fallback",
        "src/helpers/analysis/claims.py",
        "src/helpers/pipeline/worker.py",
        "CITATION.cff",
        "report/_quarto.yml",
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("{}")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "add", "notebooks"], check=True)
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], check=True
    )
    past = time.time() - 100
    for path in root.rglob("*"):
        if path.is_file() and ".git" not in path.parts:
            os.utime(path, (past, past))
    os.utime(root / "report/_site/.built-fallback")  # the site is the newest
    return root


def refused(root):
    return release.refusals(root, root / "report", root / "data")


def test_a_fresh_build_of_a_committed_checkout_is_not_refused(tmp_path):
    assert refused(checkout(tmp_path)) == []


def test_uncommitted_changes_to_tracked_files_are_refused_in_one_line(tmp_path):
    root = checkout(tmp_path)
    (root / "notebooks/10_x.ipynb").write_text('{"changed": 1}')
    os.utime(root / "report/_site/.built-fallback")
    (root / "untracked.txt").write_text("not part of the commit, not a change to it")
    assert refused(root) == [
        "uncommitted changes to tracked files (notebooks/10_x.ipynb): a release names one commit; " "commit them first"
    ]


@pytest.mark.parametrize(
    "newer, what",
    [
        ("data/raw/x.provenance.json", "data"),
        ("data/processed/ict_usage.parquet", "data"),
        ("notebooks/10_x.ipynb", "notebooks"),
        ("report/x.ipynb", "notebooks"),
        ("src/helpers/analysis/claims.py", "code"),
        ("CITATION.cff", "code"),
        ("report/_quarto.yml", "code"),
    ],
)
def test_a_site_older_than_its_data_notebooks_or_code_is_refused_in_one_line(tmp_path, newer, what):
    root = checkout(tmp_path)
    future = time.time() + 10
    os.utime(root / newer, (future, future))
    reasons = refused(root)
    assert reasons == [
        f"the site ({root / 'report' / '_site'}) is older than its {what} ({newer}): run `make report` first"
    ]


def test_the_name_says_synthetic_when_any_of_the_data_is_and_the_readme_warns():
    assert release.release_name("0.2.0", synthetic=True) == "oecd-social-media-0.2.0-synthetic"
    assert release.release_name("0.2.0", synthetic=False) == "oecd-social-media-0.2.0"
    import yaml

    cff_text = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    for synthetic in (True, False):
        text = release.readme(
            yaml.safe_load(cff_text), cff_text, folder="f", commit="c" * 40, records=[], synthetic=synthetic, pdf=False
        ).decode()
        assert ("SYNTHETIC" in text) == synthetic


def test_code_no_page_is_made_by_does_not_hold_a_release_back(tmp_path):
    root = checkout(tmp_path)
    future = time.time() + 10
    os.utime(root / "src/helpers/pipeline/worker.py", (future, future))  # the build lock makes no page
    assert refused(root) == []


def test_no_site_is_refused(tmp_path):
    root = checkout(tmp_path)
    shutil.rmtree(root / "report/_site")
    assert refused(root) == [f"no built site in {root / 'report' / '_site'}: run `make report` first"]


# ----------------------------------------------------------------------------- the provenance of a rebuild


@pytest.fixture(scope="module")
def live_raw(tmp_path_factory, synthetic_mirror_path):
    """data/raw as a live build fetched it (the Eurostat stand-in; the OECD stand-in of the session)."""
    raw = tmp_path_factory.mktemp("live") / "raw"
    with StandIn(synthetic_mirror_path) as api:
        fetch_all(
            raw, source="live", settings=FetchSettings(api_base=api.base_url, timeout=5.0, attempts=2, backoff=0.01)
        )
    return raw


def release_data(raw, folder, version="0.2.0"):
    """A release's data/ as make release writes it: the files and records, and MIRROR.json naming it."""
    shutil.copytree(raw, folder, ignore=shutil.ignore_patterns(".*", "*.ledger*"))
    (folder / "MIRROR.json").write_bytes(
        release.mirror_manifest({"version": version, "date-released": "2027-01-31"}, commit="c" * 40, synthetic=False)
    )
    return folder


def test_a_release_of_a_live_build_rebuilds_with_the_original_retrieval(live_raw, tmp_path):
    data = release_data(live_raw, tmp_path / "release" / "data")
    rebuilt = tmp_path / "rebuilt" / "raw"
    fetch_all(rebuilt, source="mirror", mirror=data)
    for original_path in sorted(live_raw.glob("*.provenance.json")):
        original = json.loads(original_path.read_text())
        again = json.loads((rebuilt / original_path.name).read_text())
        assert again.pop("rebuilt_from") == {"release": "0.2.0", "commit": "c" * 40, "folder": str(data.resolve())}
        assert again == original  # source, address, retrieval time, last update: all the original's
        assert again["source"] == "live"
        if original["file"]:
            assert (rebuilt / again["file"]).read_bytes() == (live_raw / original["file"]).read_bytes()
    words = how_received(json.loads((rebuilt / "isoc_ci_ac_i.provenance.json").read_text()))
    assert words.startswith("retrieved from Eurostat's API on ") and words.endswith(
        "; rebuilt from release 0.2.0 (commit cccccccccccc)"
    )


def test_a_release_file_that_no_longer_matches_its_record_is_refused(live_raw, tmp_path):
    data = release_data(live_raw, tmp_path / "data")
    record = json.loads((data / "isoc_ciegi_ac.provenance.json").read_text())
    lines = gzip.decompress((data / record["file"]).read_bytes()).split(b"\n")
    lines[1] = lines[1].rsplit(b"\t", 1)[0] + b"\t12.0 "  # one value revised after the release
    (data / record["file"]).write_bytes(gzip.compress(b"\n".join(lines), mtime=0))
    with pytest.raises(Exception) as raised:
        fetch_all(tmp_path / "raw", source="mirror", mirror=data)
    assert "isoc_ciegi_ac.tsv.gz does not match its provenance record isoc_ciegi_ac.provenance.json" in str(
        raised.value
    )
    assert not (tmp_path / "raw" / "isoc_ciegi_ac.provenance.json").exists()
    from helpers.acquire.mirror import kept_record

    with pytest.raises(MalformedFile):
        kept_record(data, "isoc_ciegi_ac", (data / record["file"]).read_bytes(), data / record["file"])


def test_a_mirror_build_says_it_came_from_a_mirror_never_from_the_api():
    record = {
        "dataset": "isoc_ci_ac_i",
        "source": "mirror",
        "mirror_label": "a copy kept by X",
        "retrieved_at": "2026-06-16T21:00:00Z",
        "rebuilt_from": {"release": "0.2.0", "commit": "", "folder": "/r"},
    }
    words = how_received(record)
    assert (
        words
        == "read from a mirror (a copy kept by X), its file dated 16 June 2026, 21:00 (UTC); rebuilt from release 0.2.0"
    )
    assert "API" not in words
    statement = origin_statement({"synthetic": False, "datasets": [record]})
    assert "- `isoc_ci_ac_i`: read from a mirror" in statement and "original retrieval" in statement


# ----------------------------------------------------------------------------- end to end


@pytest.mark.e2e
def test_make_release_then_a_clean_clone_rebuilt_from_its_data_says_the_same(built_report, tmp_path):
    """The issue's "done when": a synthetic build's release is one archive named as synthetic, the same bytes
    twice, whose SHA256SUMS verify; a second clean clone rebuilt from its data/ gives the same CSVs and pages
    (but the one sentence saying it was rebuilt) and keeps every dataset's original retrieval time."""
    built = tmp_path / "built"
    shutil.copytree(built_report, built, symlinks=True)
    git = ["git", "-C", str(built), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    if subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout.strip():
        # the tree under test carries uncommitted changes (tests/pipeline.py): a release names one commit
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "the tree under test"], check=True)
    for path in (built / "report" / "_site").rglob("*"):
        os.utime(path)  # the commit's notebooks are older than the site, as after `make report`
    os.utime(built / "report" / "_site" / ".built-fallback")
    made = run_make(built, "release")
    archives = sorted((built / "dist").iterdir())
    assert len(archives) == 1 and archives[0].name == "oecd-social-media-0.1.0-synthetic.tar.gz", archives
    first = archives[0].read_bytes()
    assert archives[0].name in made.stdout
    run_make(built, "release")
    assert archives[0].read_bytes() == first, "made twice from the same build, the archive differs"

    unpacked = tmp_path / "unpacked"
    with tarfile.open(archives[0]) as tar:
        assert {m.name.split("/")[0] for m in tar.getmembers()} == {"oecd-social-media-0.1.0-synthetic"}
        tar.extractall(unpacked, filter="data")
    folder = unpacked / "oecd-social-media-0.1.0-synthetic"
    checker = ["sha256sum", "-c"] if shutil.which("sha256sum") else ["shasum", "-a", "256", "-c"]
    assert subprocess.run([*checker, "--quiet", "SHA256SUMS"], cwd=folder, capture_output=True).returncode == 0
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    assert listed == {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    commit = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    cff = yaml.safe_load((folder / "CITATION.cff").read_text())
    assert cff["commit"] == commit and cff["date-released"] and cff["version"] == "0.1.0"
    zenodo = json.loads((folder / ".zenodo.json").read_text())
    assert zenodo["title"] == cff["title"] and zenodo["version"] == "0.1.0"
    readme = (folder / "README.md").read_text()
    assert commit in readme and "make report EUROSTAT_MIRROR=" in readme and "SYNTHETIC DATA" in readme
    assert (folder / "site" / "index.html").exists() and (folder / "site" / "data-and-methods.html").exists()
    raw = built / "data" / "raw"
    for record_path in sorted(raw.glob("*.provenance.json")):
        assert (folder / "data" / record_path.name).read_bytes() == record_path.read_bytes()
        name = json.loads(record_path.read_text())["file"]
        if name:
            assert (folder / "data" / name).read_bytes() == (raw / name).read_bytes()
    assert (folder / "data" / "DSD_ICT_HH_IND@DF_IND.csv").exists() or not json.loads(
        (raw / "DSD_ICT_HH_IND@DF_IND.provenance.json").read_text()
    )["file"]
    assert json.loads((folder / "data" / "eurostat.lock").read_text())["datasets"].keys() == {
        json.loads(p.read_text())["dataset"] for p in raw.glob("*.provenance.json")
    }

    # a second clean clone, at the release's commit, rebuilt from the archive's data/
    second = tmp_path / "second"
    subprocess.run(["git", "clone", "-q", str(built), str(second)], check=True)
    assert (
        subprocess.run(["git", "-C", str(second), "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
        == commit
    )
    rebuilt = run_make(second, "report", f"EUROSTAT_MIRROR={folder / 'data'}")
    assert "WARNING" not in rebuilt.stderr + rebuilt.stdout
    assert "the data were rebuilt from release 0.1.0" in rebuilt.stderr
    assert (second / "data" / "eurostat.lock").read_bytes() == (folder / "data" / "eurostat.lock").read_bytes()
    for record_path in sorted(raw.glob("*.provenance.json")):
        original, again = json.loads(record_path.read_text()), json.loads(
            (second / "data" / "raw" / record_path.name).read_text()
        )
        assert again["retrieved_at"] == original["retrieved_at"] and again["last_update"] == original["last_update"]
        assert again["source"] == original["source"] and again["rebuilt_from"]["release"] == "0.1.0"
    site, released = second / "report" / "_site", folder / "site"
    csvs = sorted(p.relative_to(released) for p in released.rglob("*.csv"))
    assert csvs and csvs == sorted(p.relative_to(site) for p in site.rglob("*.csv"))
    assert [c for c in csvs if (site / c).read_bytes() != (released / c).read_bytes()] == []
    assert (second / "data/processed/ict_usage.csv").read_bytes() == (
        built / "data/processed/ict_usage.csv"
    ).read_bytes()
    differing = sorted(
        str(p.relative_to(released))
        for p in released.rglob("*")
        if p.is_file() and (site / p.relative_to(released)).read_bytes() != p.read_bytes()
    )
    # the Data and methods page (and the article that holds it) says it was rebuilt; nothing else moves
    assert set(differing) <= {"data-and-methods.html", "article.html", "article.pdf"}, differing
    page = (site / "data-and-methods.html").read_text()
    assert "rebuilt from release 0.1.0" in page and "original retrieval" in page

    # a stale site, and uncommitted changes, are refused in one line each
    os.utime(built / "notebooks" / "10_youth_civic.ipynb", (time.time() + 5, time.time() + 5))
    (built / "README.md").write_text((built / "README.md").read_text() + "\nchanged\n")
    refused = run_make(built, "release", check=False)
    # make's own lines (the release runs under the build lock, in a make of its own) left aside
    lines = [line for line in refused.stderr.strip().splitlines() if not re.match(r"make(\[\d+\])?: \*\*\*", line)]
    assert refused.returncode != 0 and len(lines) == 2, refused.stderr
    assert lines[0].startswith("make release: uncommitted changes to tracked files (README.md)")
    assert (
        lines[1].startswith("make release: the site (")
        and "older than its notebooks (notebooks/10_youth_civic.ipynb)" in lines[1]
    )


@pytest.mark.e2e
def test_make_lock_writes_the_lock_of_the_data_dir_in_use_and_a_first_build_notes_it_once(built_report, tmp_path):
    built = tmp_path / "built"
    shutil.copytree(built_report, built, symlinks=True)
    (built / "data" / "eurostat.lock").unlink(missing_ok=True)
    (built / "data" / "processed" / ".lock-noted").unlink(missing_ok=True)
    first = run_make(built, "report")  # the check of a first build (nothing else to do)
    assert "WARNING" not in first.stderr and first.stderr.count("no lock yet") == 1
    assert "no lock yet" not in run_make(built, "report").stderr  # said once
    other = built / "demo" / "data"
    shutil.copytree(built / "data" / "raw", other / "raw")
    run_make(built, "lock", f"DATA_DIR={other.relative_to(built)}")
    assert (other / "eurostat.lock").exists() and not (built / "data" / "eurostat.lock").exists()
    run_make(built, "lock")
    assert (built / "data" / "eurostat.lock").read_bytes() == (other / "eurostat.lock").read_bytes()
    assert run_make(built, "report").stderr.count("WARNING") == 0


@pytest.mark.e2e
def test_the_release_of_a_live_build_says_it_came_from_the_api_and_its_rebuild_keeps_that(synthetic_mirror, tmp_path):
    """A build from Eurostat's API (the stand-in on 127.0.0.1; the OECD's stand-in of the session) released
    and rebuilt: not named synthetic, and the rebuilt page says "retrieved from Eurostat's API on <then>;
    rebuilt from release 0.1.0", with the original retrieval times."""
    built = clean_clone(tmp_path / "live")
    with StandIn(synthetic_mirror) as api:
        run_make(built, "report", "SOURCE=live", EUROSTAT_API_BASE=api.base_url, EUROSTAT_BACKOFF="0.01")
    git = ["git", "-C", str(built), "-c", "user.name=test", "-c", "user.email=test@example.org"]
    if subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout.strip():
        subprocess.run([*git, "add", "-A"], check=True)
        subprocess.run([*git, "commit", "-qm", "the tree under test"], check=True)
    for path in (built / "report" / "_site").rglob("*"):
        os.utime(path)
    run_make(built, "release")
    archive = built / "dist" / "oecd-social-media-0.1.0.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    folder = tmp_path / "unpacked" / "oecd-social-media-0.1.0"
    assert "- `isoc_ci_ac_i`: retrieved from Eurostat's API on " in (folder / "README.md").read_text()
    second = tmp_path / "second"
    subprocess.run(["git", "clone", "-q", str(built), str(second)], check=True)
    rebuilt = run_make(second, "report", f"EUROSTAT_MIRROR={folder / 'data'}")
    assert "WARNING" not in rebuilt.stderr
    original = json.loads((built / "data/raw/isoc_ci_ac_i.provenance.json").read_text())
    again = json.loads((second / "data/raw/isoc_ci_ac_i.provenance.json").read_text())
    assert (again["source"], again["location"], again["retrieved_at"]) == (
        original["source"],
        original["location"],
        original["retrieved_at"],
    )
    from helpers.publish.provenance import readable_time

    import html

    page = html.unescape((second / "report/_site/data-and-methods.html").read_text())
    assert (
        f"retrieved from Eurostat's API on {readable_time(original['retrieved_at'])}; rebuilt from release 0.1.0"
        in page
    )
    csvs = sorted(p.relative_to(folder / "site") for p in (folder / "site").rglob("*.csv"))
    assert csvs and all((second / "report/_site" / c).read_bytes() == (folder / "site" / c).read_bytes() for c in csvs)
