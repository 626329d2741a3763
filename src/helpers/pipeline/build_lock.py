"""One build at a time in a clone: a build holds a lock on ``.build.lock`` for as long as its make runs.

The settings check (helpers.pipeline.parameters), which make runs once when it reads the Makefile, takes the lock for
the goals that write (``flock`` on an open of the file) and leaves a small process holding that open file until make's
own process has ended; a second build finds the lock taken and is refused in one line. No variable skips it: the goals
alone decide. The holder watches make's process id with ``kill(pid, 0)`` (no ``/proc``, so the same on Linux and macOS);
the lock goes with it, and a killed make never keeps the next build out for more than a moment (a build that finds the
lock of a make that has ended waits for its holder to notice). Standard library only, like the check that calls it."""

from __future__ import annotations

import fcntl
import os
import time
from pathlib import Path

POLL = 0.05  # how often the holder looks whether make has ended (s)
BUSY = (
    "another build is running in this clone (it holds {name}, make's process {pid}); wait for it to finish, "
    "then run make again"
)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _recorded_pid(path: Path) -> int:
    try:
        return int(path.read_text(encoding="utf-8").split()[0])
    except (OSError, ValueError, IndexError):
        return 0


def take_for(make_pid: int, path: Path = Path(".build.lock"), wait: float = 2.0) -> str:
    """Take the lock for the make whose process is `make_pid`; '' when taken, else the line saying why not.

    A child process keeps the lock (the open file) until `make_pid` has ended; this process returns at once."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            holder = _recorded_pid(path)
            if holder == make_pid:  # this make read its Makefile again (after making the environment): it holds it
                os.close(fd)
                return ""
            # the make that held it has ended: its holder lets go within POLL
            if holder and not _alive(holder) and time.monotonic() < deadline:
                time.sleep(POLL)
                continue
            os.close(fd)
            return BUSY.format(name=path.name, pid=holder or "unknown")
    os.ftruncate(fd, 0)
    os.write(fd, f"{make_pid}\n".encode())
    if os.fork() == 0:  # the holder: no terminal, no pipe of make's left open, its own session
        try:
            os.setsid()
            null = os.open(os.devnull, os.O_RDWR)
            for stream in (0, 1, 2):
                os.dup2(null, stream)
            while _alive(make_pid):
                time.sleep(POLL)
        finally:
            os._exit(0)
    os.close(fd)  # the holder's copy of the open file keeps the lock
    return ""
