"""The build lock (helpers.pipeline.build_lock): one build at a time, proven by an inherited open file,
never by a variable, and with no /proc (macOS has none)."""

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

SRC = str(ROOT / "src")
# a process asking, as the Makefile's check does: does the build I run inside hold this lock?
ASK = [
    sys.executable,
    "-c",
    "import sys; from helpers.pipeline.build_lock import lock_is_held_by_this_build as held; "
    "print(held(sys.argv[1]))",
]


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


def child_environment(**extra):
    environment = {k: v for k, v in os.environ.items() if k != build_lock.FD_VARIABLE}
    return {**environment, "PYTHONPATH": SRC, **extra}


def test_only_the_open_file_that_holds_the_lock_proves_it(tmp_path, monkeypatch, no_proc):
    path = tmp_path / ".build.lock"
    other = tmp_path / "other.txt"
    other.write_text("not the lock\n")

    def held(fd):
        monkeypatch.setenv(build_lock.FD_VARIABLE, str(fd))
        return build_lock.lock_is_held_by_this_build(path)

    with open(path, "a+") as holder, open(path, "a+") as another_open, open(other) as another_file:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert held(holder.fileno())
        assert not held(another_open.fileno())  # the same file, opened again: not the holder
        assert not held(another_file.fileno())  # another file
        assert not held(987)  # no such descriptor
        assert not held("yes")
        monkeypatch.delenv(build_lock.FD_VARIABLE)
        assert not build_lock.lock_is_held_by_this_build(path)
        fcntl.flock(holder, fcntl.LOCK_UN)
        # released: the descriptor proves nothing, and asking does not take the lock
        assert not held(holder.fileno())
        assert not build_lock.lock_is_taken(path)


def test_the_lock_passes_through_a_shell_make_its_shell_function_and_a_recursive_make(tmp_path):
    path = tmp_path / ".build.lock"
    ask = " ".join(ASK[:2]) + f" '{ASK[2]}' {path}"
    makefile = tmp_path / "Makefile"
    makefile.write_text(textwrap.dedent(f"""\
        HELD := $(shell {ask})
        outer:
        \t@echo "shell function: $(HELD)"
        \t@{ask} | sed 's/^/recipe: /'
        \t@$(MAKE) --no-print-directory -f {makefile} inner
        inner:
        \t@echo "recursive make: $(HELD)"
        """))
    out = tmp_path / "out.txt"
    command = ["bash", "-c", f"make --no-print-directory -f {makefile} outer > {out}"]
    env = child_environment()
    result = subprocess.run(
        [sys.executable, "-m", "helpers.pipeline.build_lock", "run", "--", *command],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text().splitlines() == ["shell function: True", "recipe: True", "recursive make: True"]
    # the same make outside the lock: nothing holds it
    subprocess.run(command, cwd=tmp_path, env=env, check=True)
    assert out.read_text().splitlines() == ["shell function: False", "recipe: False", "recursive make: False"]


def test_a_variable_naming_a_descriptor_proves_nothing(tmp_path):
    """Another build holds the lock; a process outside it names descriptors, even an open of the lock file."""
    path = tmp_path / ".build.lock"
    holder = subprocess.Popen(
        [sys.executable, "-m", "helpers.pipeline.build_lock", "run", "--", "sleep", "60"],
        cwd=tmp_path,
        env=child_environment(),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while not build_lock.lock_is_taken(path):
            assert time.monotonic() < deadline, "the wrapper never took the lock"
            time.sleep(0.05)
        with open(path, "a+") as forged:
            for fd, passed in ((forged.fileno(), (forged.fileno(),)), (0, ()), (3, ()), (forged.fileno(), ())):
                asked = subprocess.run(
                    [*ASK, str(path)],
                    env=child_environment(BUILD_LOCK_FD=str(fd)),
                    pass_fds=passed,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                assert asked.stdout.strip() == "False", (fd, passed)
        # and the wrapper refuses a second build at once, saying why
        second = subprocess.run(
            [sys.executable, "-m", "helpers.pipeline.build_lock", "run", "--", "true"],
            cwd=tmp_path,
            env=child_environment(),
            capture_output=True,
            text=True,
            timeout=20,
        )
        assert second.returncode == build_lock.BUSY
        assert second.stderr.startswith("error: another build is running in this clone")
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()


def test_a_killed_build_never_keeps_the_next_one_out(tmp_path):
    path = tmp_path / ".build.lock"
    build = subprocess.Popen(
        [sys.executable, "-m", "helpers.pipeline.build_lock", "run", "--", "bash", "-c", "sleep 60"],
        cwd=tmp_path,
        env=child_environment(),
        start_new_session=True,
    )
    deadline = time.monotonic() + 20
    while not build_lock.lock_is_taken(path):
        assert time.monotonic() < deadline, "the wrapper never took the lock"
        time.sleep(0.05)
    os.killpg(build.pid, signal.SIGKILL)  # the build and its children, as a closed terminal or kill -9 would
    build.wait()
    time.sleep(0.2)
    assert not build_lock.lock_is_taken(path)
    assert build_lock.run_locked(path, ["true"]) == 0


def test_what_python_starts_inside_a_build_does_not_hold_the_lock(tmp_path):
    """Kernels, Quarto and the warm worker are started by Python (close_fds): one that outlives the build
    keeps no lock, and does not count as inside it."""
    path = tmp_path / ".build.lock"
    pid_file = tmp_path / "lingering.pid"
    script = (
        "import subprocess, sys\n"
        f"p = subprocess.Popen({ASK + [str(path)]!r}, stdout=subprocess.PIPE, text=True)\n"
        "print('grandchild:', p.communicate()[0].strip())\n"
        "lingering = subprocess.Popen(['sleep', '60'], start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        f"open({str(pid_file)!r}, 'w').write(str(lingering.pid))\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "helpers.pipeline.build_lock", "run", "--", sys.executable, "-c", script],
        cwd=tmp_path,
        env=child_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    lingering = int(pid_file.read_text())
    try:
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "grandchild: False"
        assert not build_lock.lock_is_taken(path)  # the build is over, though what it started still runs
    finally:
        os.kill(lingering, signal.SIGKILL)


def test_the_wrapper_runs_without_proc(tmp_path, no_proc):
    path = tmp_path / ".build.lock"
    out = tmp_path / "out.txt"
    assert (
        build_lock.run_locked(path, ["bash", "-c", f"PYTHONPATH={SRC} {' '.join(ASK[:2])} '{ASK[2]}' {path} > {out}"])
        == 0
    )
    assert out.read_text().strip() == "True"
    assert not build_lock.lock_is_taken(path)


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
    env = {**os.environ, "PYTHONPATH": str(clone / "src"), "WARM_MINUTES": "0", "QUARTO": "", **environment}
    env.pop("EUROSTAT_MIRROR", None)
    env.pop(build_lock.FD_VARIABLE, None)
    return subprocess.run(
        [*HIDE_PROC, "make", "--no-print-directory", "-C", str(clone), *args, f"PYTHON={sys.executable}", "ENV_STAMP="],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )


def test_a_build_runs_and_a_second_is_refused_with_proc_hidden(own_built_clone):
    """make report (the wrapper, the make inside, its recursive makes) in a mount namespace whose /proc is
    an empty folder, as on macOS; needs root and unshare(1) (Linux), else skipped."""
    if not proc_can_be_hidden():
        pytest.skip(
            "/proc cannot be hidden here (needs root and util-linux's unshare): the unit tests above hide "
            "it from Python instead"
        )
    result = make_without_proc(own_built_clone, "report")
    assert result.returncode == 0, result.stderr
    assert "another build is running" not in result.stderr and "report: report/_site/index.html" in result.stdout
    with open(own_built_clone / ".build.lock", "a+") as other_build:
        fcntl.flock(other_build, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = make_without_proc(own_built_clone, "report")
    assert refused.returncode != 0 and refused.stderr.startswith("error: another build is running in this clone")
