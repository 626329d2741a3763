"""The warm worker of `make country` (helpers.pipeline.worker): the same page, sooner, and never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import pytest

from helpers.pipeline import worker
from pipeline import run_make


def wait_for_worker(report_dir, seconds=120):
    """Until the worker answers (it listens before it warms up, and answers once warm)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if worker.ask_worker(report_dir, {"command": "ping"}) is not None:
            return True
        time.sleep(0.5)
    return False


@pytest.fixture
def country_clone(built_report, tmp_path):
    clone = tmp_path / "clone"
    shutil.copytree(built_report, clone, symlinks=True)
    yield clone
    worker.stop_worker(clone / "report")


def test_make_country_leaves_a_warm_worker_that_gives_the_same_page(country_clone):
    report = country_clone / "report"
    cold = run_make(country_clone, "country", "COUNTRY=PT", WARM_MINUTES="5")
    assert "warm worker" not in cold.stdout
    page = (report / "countries" / "PT.ipynb").read_bytes()
    html = (report / "_site" / "countries" / "PT.html").read_bytes()
    assert wait_for_worker(report), "no warm worker answered after make country"
    assert oct((report / ".worker").stat().st_mode & 0o777) == "0o700"  # this user's only
    (report / "countries" / "PT.ipynb").unlink()
    warm = run_make(country_clone, "country", "COUNTRY=PT", WARM_MINUTES="5")
    assert "run by the warm worker" in warm.stdout and "executed 30_country_profile" in warm.stdout
    assert (report / "countries" / "PT.ipynb").read_bytes() == page
    assert (report / "_site" / "countries" / "PT.html").read_bytes() == html
    # an OECD country through the same worker
    assert "run by the warm worker" in run_make(country_clone, "country", "COUNTRY=KOR", WARM_MINUTES="5").stdout


def test_a_worker_never_serves_code_that_changed_and_none_is_kept_with_warm_minutes_0(country_clone):
    report = country_clone / "report"
    run_make(country_clone, "country", "COUNTRY=ES", WARM_MINUTES="5")
    assert wait_for_worker(report)
    before = worker.fingerprint()
    source = sorted((worker.ROOT / "src" / "helpers").rglob("*.py"))[0]
    stat = source.stat()
    try:
        # the code the worker imported is not the code now: the request runs cold, the worker stops
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        assert worker.fingerprint() != before
        assert worker.ask_worker(report, {"command": "country", "argv": []}) is None
        stale = run_make(country_clone, "country", "COUNTRY=ES", WARM_MINUTES="5")
        assert "warm worker" not in stale.stdout
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert wait_for_worker(report)
    none = run_make(country_clone, "country", "COUNTRY=ES", WARM_MINUTES="0")
    assert "warm worker" not in none.stdout
    time.sleep(1)
    assert worker.ask_worker(report, {"command": "ping"}) is None and not (report / ".worker" / "socket").exists()


def test_a_worker_stops_by_itself_when_idle(tmp_path):
    report = tmp_path / "report"
    report.mkdir()
    started = time.monotonic()
    subprocess.run([sys.executable, "-m", "helpers.pipeline.worker", "serve", "--report-dir", str(report),
                    "--idle-seconds", "1"], timeout=60, check=True)
    assert time.monotonic() - started < 60 and not (report / ".worker" / "socket").exists()


def test_without_a_worker_nothing_is_asked_and_stop_says_so(tmp_path):
    assert worker.ask_worker(tmp_path, {"command": "ping"}) is None
    result = subprocess.run([sys.executable, "-m", "helpers.pipeline.worker", "stop", "--report-dir", str(tmp_path)],
                            capture_output=True, text=True, check=True)
    assert "no warm worker was running" in result.stdout
