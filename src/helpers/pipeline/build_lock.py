"""One build at a time in a clone: the building targets run under a lock on ``.build.lock``.

    python3 -m helpers.pipeline.build_lock run -- make report ...   (the Makefile's wrapper)

The wrapper takes the lock (``flock`` on its own open of the file), writes its process id into the
file for people to read, and runs make as its child, handing it that open file as an inherited
descriptor whose number is in ``BUILD_LOCK_FD``. A second build finds the lock taken and stops at
once (exit 75).

A process inside the build knows it holds the lock only by proof, never by a value it is told: the
lock is taken (a fresh open of the file cannot take it), and the inherited descriptor is an open of
that same file (same device and inode) through which the lock can be taken again at once, which
``flock`` allows only to the open file that holds it. A variable naming any other descriptor (none,
another file, or another open of the lock file) fails one of these, so no variable skips the lock.
This needs no ``/proc`` and no process tree, so it works on Linux and macOS alike.

The descriptor survives make, ``$(shell ...)``, a recipe's shell and a recursive ``$(MAKE)`` (none
of them closes what they inherit); Python's subprocesses (kernels, the warm worker, Quarto) do not
get it (``close_fds``), so nothing the build leaves running keeps the lock. The lock goes with the
last process holding the descriptor, so a killed build never keeps the next one out. Standard
library only, like the contract that calls it.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

BUSY = 75  # EX_TEMPFAIL: try again later
FD_VARIABLE = "BUILD_LOCK_FD"  # the inherited descriptor's number; a claim, checked, never trusted


def lock_is_taken(path: Path) -> bool:
    """Whether some open of `path` holds the lock (a fresh open cannot take it)."""
    try:
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def _inherited_descriptor(path: Path) -> int | None:
    """The descriptor named by BUILD_LOCK_FD when it is an open of `path` itself, else None."""
    try:
        fd = int(os.environ.get(FD_VARIABLE, ""))
        held, wanted = os.fstat(fd), os.stat(path)
    except (ValueError, OSError):
        return None
    return fd if (held.st_dev, held.st_ino) == (wanted.st_dev, wanted.st_ino) else None


def lock_is_held_by_this_build(path: Path) -> bool:
    """Whether the build this process runs inside holds the lock on `path` (see the module's text)."""
    path = Path(path)
    fd = _inherited_descriptor(path)
    # taken first: on a lock nobody holds, flock on the descriptor would take it, not prove it held
    if fd is None or not lock_is_taken(path):
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # the open file that holds it only re-takes it
    except OSError:
        return False
    return True


def run_locked(path: Path, command: list[str]) -> int:
    """Run `command` holding the lock; BUSY with one line when another build holds it."""
    handle = open(path, "a+")  # noqa: SIM115 - held for the life of the command
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        print(
            f"error: another build is running in this clone (it holds {path.name}); wait for it to finish, then "
            "run make again",
            file=sys.stderr,
        )
        return BUSY
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    fd = handle.fileno()
    try:
        import subprocess  # here: the check imports this module, and needs none of it

        # the child gets this one descriptor (and no other of ours): holding it is holding the lock
        return subprocess.call(command, pass_fds=(fd,), env={**os.environ, FD_VARIABLE: str(fd)})
    except KeyboardInterrupt:
        return 130
    finally:
        handle.close()


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3 or args[0] != "run" or args[1] != "--":
        print("usage: python3 -m helpers.pipeline.build_lock run -- COMMAND ...", file=sys.stderr)
        return 2
    return run_locked(Path(".build.lock"), args[2:])


if __name__ == "__main__":
    sys.exit(main())
