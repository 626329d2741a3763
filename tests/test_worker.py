"""The warm worker of `make country` (helpers.pipeline.worker): the same page, sooner, and never stale."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import ROOT
from helpers.pipeline import worker
from pipeline import run_make
from test_build_lock import make_without_proc, no_proc, proc_can_be_hidden  # noqa: F401 - no_proc: a fixture


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
    # one line says a worker stays, for how long, and how to keep none
    said = [line for line in cold.stdout.splitlines() if "warm worker" in line]
    assert said == [
        "(left a warm worker for the next make country: it stops after 5 idle minutes; " "WARM_MINUTES=0 keeps none)"
    ], cold.stdout
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


def test_with_proc_hidden_make_country_leaves_a_worker_that_serves_the_next_one(country_clone):
    """As on macOS: make and every process it starts see an empty /proc (root and unshare(1), else skipped)."""
    if not proc_can_be_hidden():
        pytest.skip(
            "/proc cannot be hidden here (needs root and util-linux's unshare): "
            "test_the_worker_and_its_client_work_without_proc hides it from Python instead"
        )
    report = country_clone / "report"
    cold = make_without_proc(country_clone, "country", "COUNTRY=NL", WARM_MINUTES="5")
    assert cold.returncode == 0, cold.stderr
    assert "(left a warm worker for the next make country" in cold.stdout
    page = (report / "countries" / "NL.ipynb").read_bytes()
    assert wait_for_worker(report), "no warm worker answered after make country"
    warm = make_without_proc(country_clone, "country", "COUNTRY=NL", WARM_MINUTES="5")
    assert warm.returncode == 0, warm.stderr
    assert "run by the warm worker" in warm.stdout
    assert (report / "countries" / "NL.ipynb").read_bytes() == page


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
        assert "run by the warm worker" not in stale.stdout and "left a warm worker" in stale.stdout
    finally:
        os.utime(source, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert wait_for_worker(report)
    none = run_make(country_clone, "country", "COUNTRY=ES", WARM_MINUTES="0")
    assert "warm worker" not in none.stdout
    time.sleep(1)
    assert worker.ask_worker(report, {"command": "ping"}) is None and not (report / ".worker" / "socket").exists()


@pytest.mark.e2e  # starts the warm worker (a kernel)
def test_a_worker_stops_by_itself_when_idle(tmp_path):
    report = tmp_path / "report"
    report.mkdir()
    started = time.monotonic()
    subprocess.run(
        [sys.executable, "-m", "helpers.pipeline.worker", "serve", "--report-dir", str(report), "--idle-seconds", "1"],
        timeout=60,
        check=True,
    )
    assert time.monotonic() - started < 60 and not (report / ".worker" / "socket").exists()


@pytest.mark.e2e  # starts the warm worker's command
def test_without_a_worker_nothing_is_asked_and_stop_says_so(tmp_path):
    assert worker.ask_worker(tmp_path, {"command": "ping"}) is None
    result = subprocess.run(
        [sys.executable, "-m", "helpers.pipeline.worker", "stop", "--report-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "no warm worker was running" in result.stdout


# ----------------------------------------------------------------------------- portable: a key, no /proc, long paths

SRC = str(ROOT / "src")
TESTS = str(ROOT / "tests")


def serve_in_background(report, *, hide_proc=False, environment=None, idle_seconds=60):
    """A worker for `report` without a warm-up kernel; with `hide_proc`, one whose Python cannot read /proc."""
    boot = "import sys\n"
    if hide_proc:
        boot += f"sys.path.insert(0, {TESTS!r}); from test_build_lock import hide_proc; hide_proc(setattr)\n"
    boot += "from helpers.pipeline.worker import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", boot, "serve", "--report-dir", str(report), "--idle-seconds", str(idle_seconds)],
        env={**os.environ, "PYTHONPATH": SRC, **(environment or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def stopped_after():
    started = []
    yield started.append
    for report, process in started:
        worker.stop_worker(report)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


def test_the_worker_and_its_client_work_without_proc(tmp_path, no_proc, stopped_after):  # noqa: F811 - a fixture
    report = tmp_path / "report"
    report.mkdir()
    process = serve_in_background(report, hide_proc=True)
    stopped_after((report, process))
    assert wait_for_worker(report, 60), process.stderr.read() if process.poll() is not None else "no answer"
    folder = report / ".worker"
    assert (folder / "address").read_text() == str(folder / "socket")
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / "authkey").stat().st_mode & 0o777) == "0o600"
    assert worker.stop_worker(report)
    assert process.wait(timeout=30) == 0, process.stderr.read()
    assert not any(folder.iterdir())  # socket, key and address gone with it


def test_a_caller_with_another_key_is_not_served(tmp_path, stopped_after):
    report = tmp_path / "report"
    report.mkdir()
    process = serve_in_background(report)
    stopped_after((report, process))
    assert wait_for_worker(report, 60)
    key = report / ".worker" / "authkey"
    real = key.read_bytes()
    key.write_bytes(os.urandom(32))  # the client now reads another key than the worker holds
    assert worker.ask_worker(report, {"command": "ping"}) is None
    assert process.poll() is None  # the worker refused the caller and goes on
    key.write_bytes(real)
    assert worker.ask_worker(report, {"command": "ping"}) == {"pong": True}


def test_a_deep_report_folder_gets_its_socket_in_a_private_temporary_folder(tmp_path, stopped_after):
    report = tmp_path / ("a-deep-folder-" * 4) / ("deeper-still-" * 4) / "report"  # the socket's path: over 104 bytes
    report.mkdir(parents=True)
    assert len(str(report / ".worker" / "socket").encode()) >= worker.SOCKET_PATH_LIMIT
    assert worker.socket_place(report) == "temporary folder"
    process = serve_in_background(report)
    stopped_after((report, process))
    assert wait_for_worker(report, 60)
    address = Path((report / ".worker" / "address").read_text())
    assert address.parent.parent == Path(tempfile.gettempdir()) and address.parent.name.startswith("oecd-worker-")
    assert oct(address.parent.stat().st_mode & 0o777) == "0o700" and len(str(address).encode()) < 104
    assert worker.stop_worker(report)
    process.wait(timeout=30)
    assert not address.parent.exists() and not (report / ".worker" / "address").exists()


def test_where_no_socket_path_fits_none_is_kept_and_make_country_says_so(tmp_path, monkeypatch, capsys):
    long_temporary = tmp_path / ("a-long-temporary-folder-" * 4)
    long_temporary.mkdir()
    report = tmp_path / ("a-deep-folder-" * 4) / ("deeper-still-" * 4) / "report"
    report.mkdir(parents=True)
    process = serve_in_background(report, environment={"TMPDIR": str(long_temporary)})
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 0 and "no path for a socket fits 103 bytes" in stderr and "none is kept" in stderr
    assert not (report / ".worker" / "address").exists()
    # make country runs cold and says no worker stays (the page itself is test_site's: here it is said done)
    from helpers.pipeline import site

    monkeypatch.setattr(tempfile, "tempdir", str(long_temporary))
    monkeypatch.setattr(site, "main", lambda argv: 0)
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a))
    monkeypatch.setenv("WARM_MINUTES", "10")
    assert worker.country(["PT", "--report-dir", str(report)]) == 0
    said = capsys.readouterr().out.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("(no warm worker kept: no path for its socket fits 103 bytes")
    assert started == []


def test_a_cold_country_says_how_long_its_worker_stays_and_none_with_warm_minutes_0(tmp_path, monkeypatch, capsys):
    from helpers.pipeline import site

    monkeypatch.setattr(site, "main", lambda argv: 0)
    started = []
    monkeypatch.setattr(subprocess, "Popen", lambda *a, **k: started.append(a[0]))
    monkeypatch.setenv("WARM_MINUTES", "7")
    monkeypatch.setenv("OECD_BUILD_LOG", str(tmp_path / "build.log"))
    assert worker.country(["PT", "--report-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "(left a warm worker for the next make country: it stops after 7 idle minutes; WARM_MINUTES=0 keeps none)"
    ]
    assert started and started[0][started[0].index("--idle-seconds") + 1] == "420"
    monkeypatch.setenv("WARM_MINUTES", "0")
    assert worker.country(["PT", "--report-dir", str(tmp_path)]) == 0
    assert capsys.readouterr().out == "" and len(started) == 1
