"""One build at a time in a clone: the building targets run under a lock on ``.build.lock``.

    python3 -m helpers.pipeline.build_lock run -- make report ...   (the Makefile's wrapper)

The wrapper takes the lock (``flock``), writes its process id into the file, and runs make as
its child; a second build finds the lock taken and stops at once (exit 75). The make inside
knows it holds the lock only by looking: the lock is taken and its holder is one of its own
ancestors. No variable or environment value can say so, so none can skip the lock. The lock
goes with the wrapper's process, so a killed build never keeps the next one out. Standard
library only, like the contract that calls it.
"""

from __future__ import annotations

import fcntl
import os
import sys
from pathlib import Path

BUSY = 75  # EX_TEMPFAIL: try again later


def _parent(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])  # the field after the command name (which may hold blanks)


def ancestors(pid: int | None = None) -> list[int]:
    """This process's ancestors, nearest first."""
    found, pid = [], _parent(pid or os.getpid())
    while pid and pid not in found:
        found.append(pid)
        pid = _parent(pid)
    return found


def lock_is_taken(path: Path) -> bool:
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


def lock_is_held_by_an_ancestor(path: Path) -> bool:
    """Whether a build that this process runs inside holds the lock (its pid in the file, the lock taken)."""
    try:
        holder = int(Path(path).read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return holder in ancestors() and lock_is_taken(path)


def run_locked(path: Path, command: list[str]) -> int:
    """Run `command` holding the lock; BUSY with one line when another build holds it."""
    handle = open(path, "a+")  # noqa: SIM115 - held for the life of the command
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"error: another build is running in this clone (it holds {path.name}); wait for it to finish, then "
              "run make again", file=sys.stderr)
        return BUSY
    handle.seek(0)
    handle.truncate()
    handle.write(f"{os.getpid()}\n")
    handle.flush()
    try:
        import subprocess  # here: the check imports this module, and needs none of it

        return subprocess.call(command, close_fds=True)  # the child does not inherit the lock's descriptor
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
