"""The build lock (helpers.pipeline.build_lock): one build at a time per clone, held for make's process, with
no /proc (macOS has none) and no variable that skips it."""

from __future__ import annotations

import builtins
import fcntl
import io
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from conftest import ROOT
from helpers.pipeline import build_lock
from pipeline import lock_is_taken

SRC = str(ROOT / "src")


def hide_proc(setattr) -> None:
    """/proc as on macOS: any open, read or listing of it from Python fails (`setattr`: monkeypatch's,
    or the builtin in a child process that runs code under test)."""

    def refuse(path):
        if str(path).startswith("/proc"):
            raise FileNotFoundError(2, "No such file or directory (no /proc here)", str(path))

    for module, name in ((builtins, "open"), (io, "open"), (os, "open"), (os, "listdir"), (os, "scandir")):
        original = getattr(module, name)
        setattr(module, name, lambda path=".", *a, _original=original, **k: (refuse(path), _original(path, *a, **k))[1])
    for name in ("read_text", "read_bytes", "open"):
        original = getattr(Path, name)
        setattr(Path, name, lambda self, *a, _original=original, **k: (refuse(self), _original(self, *a, **k))[1])


@pytest.fixture
def no_proc(monkeypatch):
    hide_proc(monkeypatch.setattr)
    with pytest.raises(FileNotFoundError):
        open("/proc/self/stat")


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.02)


@pytest.fixture
def make_process():
    """A process standing for make (its lock is held for as long as it lives)."""
    process = subprocess.Popen(["sleep", "60"])
    yield process
    process.kill()
    process.wait()


def test_the_lock_is_held_while_make_lives_and_goes_with_it(tmp_path, make_process, no_proc):
    path = tmp_path / ".build.lock"
    assert build_lock.take_for(make_process.pid, path) == ""
    assert lock_is_taken(path)
    assert path.read_text() == f"{make_process.pid}\n"  # for people to read
    refused = build_lock.take_for(os.getpid(), path, wait=0.2)
    assert refused.startswith("another build is running in this clone") and str(make_process.pid) in refused
    make_process.kill()
    make_process.wait()
    wait_until(lambda: not lock_is_taken(path))


def test_the_next_build_waits_a_moment_for_the_holder_of_a_make_that_has_ended(tmp_path):
    path = tmp_path / ".build.lock"
    ended = subprocess.Popen(["sleep", "0.3"])
    assert build_lock.take_for(ended.pid, path) == ""
    ended.wait()  # make has ended: its holder lets go within a poll
    assert build_lock.take_for(os.getpid(), path) == ""


def test_a_killed_build_never_keeps_the_next_one_out(tmp_path, make_process):
    path = tmp_path / ".build.lock"
    assert build_lock.take_for(make_process.pid, path) == ""
    os.kill(make_process.pid, signal.SIGKILL)  # as a closed terminal or kill -9 would
    make_process.wait()
    still = subprocess.Popen(["sleep", "60"])
    try:
        assert build_lock.take_for(still.pid, path) == ""
    finally:
        still.kill()
        still.wait()


@pytest.mark.e2e  # runs make
def test_two_makes_at_once_one_is_refused_in_one_line(tmp_path):
    """Through make itself: the settings check takes the lock for its make; a second make of a writing goal
    in the same clone is refused while the first runs (a recipe that sleeps), and passes after it."""
    clone = tmp_path / "clone"
    (clone / "src").mkdir(parents=True)
    os.symlink(ROOT / "src" / "helpers", clone / "src" / "helpers")
    (clone / "Makefile").write_text(textwrap.dedent("""\
            SETTINGS := $(shell PYTHONPATH=src python3 -S -c 'import sys; from helpers.pipeline.build_lock import \\
              take_for; print(take_for(int(sys.argv[1])) or "ok")' "$$PPID")
            lock:
            \t@echo "$(SETTINGS)"; sleep $(SLEEP)
            """))
    first = subprocess.Popen(["make", "-s", "-C", str(clone), "SLEEP=3"], stdout=subprocess.PIPE, text=True)
    wait_until(lambda: lock_is_taken(clone / ".build.lock"))
    second = subprocess.run(["make", "-s", "-C", str(clone), "SLEEP=0"], capture_output=True, text=True, timeout=30)
    assert second.stdout.startswith("another build is running in this clone"), second.stdout
    assert first.communicate(timeout=30)[0] == "ok\n"
    third = subprocess.run(["make", "-s", "-C", str(clone), "SLEEP=0"], capture_output=True, text=True, timeout=30)
    assert third.stdout == "ok\n"


# ----------------------------------------------------------------------------- the whole build, /proc hidden

HIDE_PROC = ["unshare", "--mount", "--fork", "sh", "-c", 'mount -t tmpfs none /proc && exec "$@"', "hide-proc"]


def proc_can_be_hidden() -> bool:
    try:
        return (
            subprocess.run([*HIDE_PROC, "sh", "-c", "! test -e /proc/self"], capture_output=True, timeout=30).returncode
            == 0
        )
    except (OSError, subprocess.TimeoutExpired):
        return False


def make_without_proc(clone, *args, **environment):
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "QUARTO": "", **environment}
    env.pop("EUROSTAT_MIRROR", None)
    return subprocess.run(
        [*HIDE_PROC, "make", "--no-print-directory", "-C", str(clone), *args, f"PYTHON={sys.executable}", "ENV_STAMP="],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_a_build_runs_and_a_second_is_refused_with_proc_hidden(own_built_clone):
    """make report in a mount namespace whose /proc is an empty folder, as on macOS; needs root and
    unshare(1) (Linux), else skipped."""
    if not proc_can_be_hidden():
        pytest.skip(
            "/proc cannot be hidden here (needs root and util-linux's unshare): the unit tests above hide "
            "it from Python instead"
        )
    result = make_without_proc(own_built_clone, "report")
    assert result.returncode == 0, result.stderr
    assert "another build is running" not in result.stderr and "report: report/_site/index.html" in result.stdout
    # the build's holder lets go within a moment of its make's end
    wait_until(lambda: not lock_is_taken(own_built_clone / ".build.lock"))
    with open(own_built_clone / ".build.lock", "a+") as other_build:
        fcntl.flock(other_build, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = make_without_proc(own_built_clone, "report")
    assert refused.returncode != 0 and "another build is running in this clone" in refused.stderr


def test_a_make_that_reads_its_makefile_again_keeps_its_lock(tmp_path, make_process):
    """After making the environment, make reads the Makefile again in the same process: the check finds the
    lock held for that same process, and goes on."""
    path = tmp_path / ".build.lock"
    assert build_lock.take_for(make_process.pid, path) == ""
    assert build_lock.take_for(make_process.pid, path) == ""
    assert build_lock.take_for(os.getpid(), path, wait=0.1).startswith("another build is running")
