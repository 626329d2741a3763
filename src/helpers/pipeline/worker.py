"""`make country` with a warm worker: one country's page in seconds, not in the time a kernel takes to start.

    python -m helpers.pipeline.worker country PT --report-dir report --provenance data/processed/provenance.json

Run cold, `make country` starts a process, a kernel, and the kernel's imports (pandas, matplotlib,
seaborn) before its two seconds of work (docs/performance.md). So after a cold run it leaves a
*warm worker* (and says so in one line): a process of its own session holding the runner's imports,
a kernel with the notebook's imports, and the claims already evaluated, listening on a Unix socket.
The next `make country` hands the worker its request and prints what it prints; the page is the
same, byte for byte (each notebook starts from an empty namespace in the kernel, as in the build's
pool of kernels).

Only this user reaches it, on Linux and macOS alike (no Linux-only socket option): the worker's
folder ``<report>/.worker`` is this user's only (0700); it holds a fresh random key (``authkey``,
0600) and where the socket is (``address``); client and worker prove to each other that they know
the key (the standard library's ``multiprocessing.connection``, HMAC challenges both ways) before a
byte of a request is read. The socket is ``<report>/.worker/socket`` where that path fits the
system's limit (104 bytes on macOS, 108 on Linux: the smaller counts), else in a private folder
(0700) under the system's temporary folder; where neither fits, no worker is kept and `make country`
says so and runs cold.

The worker serves only the code it was started with: each request carries a fingerprint of the
project's code (every file of helpers, the catalogue, the Python and the kernel); a different
one, and the worker stops and the request runs cold (and leaves a fresh worker). It stops by
itself after WARM_MINUTES minutes without a request (default 10; 0: no worker is left), when its
report folder is gone, and on `make clean` (``python -m helpers.pipeline.worker stop``).

The client side uses the standard library only, so that a warm request costs no imports.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import AuthenticationError, Client, Connection, Listener
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOCKET_NAME = "socket"
ADDRESS_FILE = "address"  # where the socket is (in the worker's folder, or under the temporary folder)
AUTHKEY_FILE = "authkey"
SOCKET_PATH_LIMIT = 104  # bytes of a Unix socket's path with its final NUL: macOS's limit (Linux's is 108)
TEMPORARY_PREFIX = "oecd-worker-"
HANDSHAKE_SECONDS = 20.0


def worker_dir(report_dir: Path) -> Path:
    return Path(report_dir).resolve() / ".worker"


def _fits(path: Path | str) -> bool:
    return len(os.fsencode(str(path))) < SOCKET_PATH_LIMIT


def socket_place(report_dir: Path) -> str | None:
    """Where a worker for `report_dir` would listen: "worker folder", "temporary folder", or None
    (no path short enough: no worker can be kept)."""
    if _fits(worker_dir(report_dir) / SOCKET_NAME):
        return "worker folder"
    # tempfile.mkdtemp's names are the prefix and eight characters
    if _fits(Path(tempfile.gettempdir()) / (TEMPORARY_PREFIX + "x" * 8) / SOCKET_NAME):
        return "temporary folder"
    return None


def fingerprint() -> str:
    """What the worker's answers depend on beyond the request: the project's code and its interpreter."""
    digest = hashlib.sha256()
    digest.update(f"{sys.executable}\n{ROOT}\n".encode())
    sources = sorted(p for p in (ROOT / "src" / "helpers").rglob("*") if p.suffix in (".py", ".toml"))
    kernels = [Path(sys.prefix) / "share" / "jupyter" / "kernels" / "oecd-social-media" / "kernel.json"]
    for path in [*sources, *kernels]:
        with contextlib.suppress(OSError):
            stat = path.stat()
            digest.update(f"{path}\0{stat.st_mtime_ns}\0{stat.st_size}\n".encode())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- messages: JSON, never pickles


def _send(connection: Connection, message: dict) -> None:
    connection.send_bytes(json.dumps(message).encode())


def _receive(connection: Connection) -> dict | None:
    try:
        return json.loads(connection.recv_bytes())
    except (EOFError, OSError, ValueError):
        return None


def _write_private(path: Path, data: bytes) -> None:
    """Write a file only this user can read (0600), whole or not at all."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(partial, path)


# ----------------------------------------------------------------------------- the client


def ask_worker(report_dir: Path, request: dict) -> dict | None:
    """The worker's answer to `request`, or None when there is no worker (or a stale one, which stops)."""
    folder = worker_dir(report_dir)
    try:
        address = (folder / ADDRESS_FILE).read_text(encoding="utf-8")
        authkey = (folder / AUTHKEY_FILE).read_bytes()
    except OSError:
        return None
    connection = _connect(address, authkey)
    if connection is None:
        return None
    with connection:  # the answer may take a notebook's time
        _send(connection, {**request, "fingerprint": fingerprint()})
        answer = _receive(connection)
    if not answer or answer.get("stale"):
        return None
    return answer


def _connect(address: str, authkey: bytes) -> Connection | None:
    """A connection to the worker once both sides proved they know the key, or None. The proof has no
    timeout of its own; a worker answers it at once, even while warming up, so a listener that does
    not within HANDSHAKE_SECONDS is not one."""
    import threading

    made: list[Connection] = []

    def attempt() -> None:
        with contextlib.suppress(OSError, EOFError, AuthenticationError):
            made.append(Client(address, family="AF_UNIX", authkey=authkey))

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(HANDSHAKE_SECONDS)
    return made[0] if made and not thread.is_alive() else None


def start_worker(report_dir: Path, minutes: int, warm_country: str) -> bool:
    """A warm worker for the next `make country`, in a session of its own (never the build's child);
    False when none can be kept (no socket path short enough)."""
    if socket_place(report_dir) is None:
        return False
    log = open(os.environ.get("OECD_BUILD_LOG", ROOT / "build.log"), "a")  # noqa: SIM115 - handed to the child
    with log:
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "helpers.pipeline.worker",
                "serve",
                "--report-dir",
                str(Path(report_dir).resolve()),
                "--idle-seconds",
                str(minutes * 60),
                "--warm-country",
                warm_country,
            ],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
            close_fds=True,
        )
    return True


def stop_worker(report_dir: Path) -> bool:
    answer = ask_worker(report_dir, {"command": "stop"})
    return bool(answer)


def country(argv: list[str]) -> int:
    """`make country`: through the warm worker when there is one, else cold (and then leave one)."""
    parser = argparse.ArgumentParser(prog="python -m helpers.pipeline.worker country")
    parser.add_argument("code")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "report")
    parser.add_argument("--provenance", type=Path)
    args = parser.parse_args(argv)
    minutes = int(os.environ.get("WARM_MINUTES") or 0)
    if minutes == 0:
        stop_worker(args.report_dir)  # none wanted: none kept
    request = {"command": "country", "argv": ["country", *argv], "cwd": os.getcwd(), "environment": dict(os.environ)}
    started = time.monotonic()
    answer = ask_worker(args.report_dir, request) if minutes else None
    if answer is not None:
        sys.stdout.write(answer["stdout"])
        sys.stderr.write(answer["stderr"])
        print(
            f"(run by the warm worker in {time.monotonic() - started:.1f} s; it stops after "
            f"{answer['idle_minutes']} idle minutes: WARM_MINUTES)"
        )
        return answer["exit"]
    from helpers.pipeline import site

    status = site.main(["country", *argv])
    if status == 0 and minutes > 0:
        if start_worker(args.report_dir, minutes, args.code.upper()):
            print(
                f"(left a warm worker for the next make country: it stops after {minutes} idle minutes; "
                "WARM_MINUTES=0 keeps none)"
            )
        else:
            print(
                f"(no warm worker kept: no path for its socket fits {SOCKET_PATH_LIMIT - 1} bytes, neither in "
                f"{worker_dir(args.report_dir)} nor in {tempfile.gettempdir()}; make country runs cold)"
            )
    return status


# ----------------------------------------------------------------------------- the worker


def serve(report_dir: Path, idle_seconds: float, warm_country: str | None = None) -> int:
    """Listen on the worker's socket and run requests one at a time, until idle for `idle_seconds`."""
    import queue
    import threading

    folder = worker_dir(report_dir)
    folder.mkdir(mode=0o700, exist_ok=True)
    os.chmod(folder, 0o700)
    if ask_worker(report_dir, {"command": "ping"}) is not None:
        return 0  # another worker serves this folder already
    place = socket_place(report_dir)
    if place is None:
        print(
            f"warm worker: no path for a socket fits {SOCKET_PATH_LIMIT - 1} bytes, neither in {folder} nor in "
            f"{tempfile.gettempdir()}; none is kept",
            file=sys.stderr,
        )
        return 0
    private = Path(tempfile.mkdtemp(prefix=TEMPORARY_PREFIX)) if place == "temporary folder" else None  # 0700
    path = (private or folder) / SOCKET_NAME
    address_file = folder / ADDRESS_FILE
    own = fingerprint()
    authkey = os.urandom(32)
    _write_private(folder / AUTHKEY_FILE, authkey)
    path.unlink(missing_ok=True)
    listener = Listener(str(path), family="AF_UNIX", backlog=4, authkey=authkey)
    os.chmod(path, 0o600)
    _write_private(address_file, str(path).encode())
    # Listener.accept has no timeout and checks the key as it accepts: a thread accepts, the loop
    # below takes the proven connections, and can stop when idle
    accepted: queue.Queue[Connection] = queue.Queue()

    def accept() -> None:
        while True:
            try:
                accepted.put(listener.accept())
            except AuthenticationError:  # a caller without the key: dropped unread
                continue
            except OSError:  # the listener closed
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        _warm_up(report_dir, warm_country)
        last_used = time.monotonic()
        while report_dir.resolve().exists() and path.exists() and _reads(address_file) == str(path):
            try:
                connection = accepted.get(timeout=min(idle_seconds, 30.0) or 0.1)
            except queue.Empty:
                if time.monotonic() - last_used >= idle_seconds:
                    break
                continue
            with connection:
                request = _receive(connection)
                if request is None:
                    continue
                if request.get("command") == "ping":
                    _send(connection, {"pong": True})
                    continue
                if request.get("command") == "stop" or request.get("fingerprint") != own:
                    _send(connection, {"stale": request.get("command") != "stop", "stopped": True})
                    break
                _send(connection, _run_request(request, idle_seconds))
                last_used = time.monotonic()
    finally:
        if _reads(address_file) == str(path):  # not a newer worker's
            address_file.unlink(missing_ok=True)
            (folder / AUTHKEY_FILE).unlink(missing_ok=True)
        listener.close()
        path.unlink(missing_ok=True)
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)
    return 0


def _reads(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _warm_up(report_dir: Path, country: str | None) -> None:
    """Start the kernel and run the country's notebook once, to a scratch copy: the kernel then holds
    the notebook's imports and the claims it evaluates (remembered for the same data)."""
    from helpers.pipeline import notebook_runner, site  # noqa: F401 - the imports are the point
    from helpers.pipeline.parameters import COUNTRY_PAGE, OECD_COUNTRY_PAGE, read_params
    from helpers.catalogue import load_catalogue

    notebook_runner.register_engine()
    if not country:
        return
    with contextlib.suppress(Exception):  # a warm-up that fails leaves the request to say why
        page = OECD_COUNTRY_PAGE if country in load_catalogue().oecd_countries else COUNTRY_PAGE
        record = read_params(report_dir, page)
        scratch = worker_dir(report_dir) / "warm-up.ipynb"
        notebook_runner.execute(record["notebook"], {**record["parameters"], "country": country}, scratch)
        scratch.unlink(missing_ok=True)
    with contextlib.suppress(Exception):  # the fallback renderer's first page builds its exporter (templates)
        from helpers.render.fallback_renderer import build_fallback_site

        site_dir = worker_dir(report_dir) / "warm-up-site"
        build_fallback_site(report_dir, site_dir, only=[f"countries/{country}.ipynb"])
    shutil.rmtree(worker_dir(report_dir) / "warm-up-site", ignore_errors=True)


def _run_request(request: dict, idle_seconds: float) -> dict:
    """Run `python -m helpers.pipeline.site <argv>` here, in the request's folder and environment."""
    from helpers.pipeline import site

    saved_environment, saved_cwd = dict(os.environ), os.getcwd()
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(request["environment"])
        os.chdir(request["cwd"])
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                status = site.main(request["argv"])
            except SystemExit as exc:  # argparse's refusals
                status = exc.code if isinstance(exc.code, int) else 1
            except Exception as exc:  # noqa: BLE001 - said to the client, the worker goes on
                print(f"error: the warm worker failed: {exc!r}", file=sys.stderr)
                status = 1
    finally:
        os.environ.clear()
        os.environ.update(saved_environment)
        os.chdir(saved_cwd)
    return {
        "exit": status,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
        "idle_minutes": round(idle_seconds / 60),
    }


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["country"]:
        return country(args[1:])
    parser = argparse.ArgumentParser(description="The warm worker of `make country`.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("serve", help="run a worker for this report folder (make country starts one)")
    run.add_argument("--idle-seconds", type=float, default=600)
    run.add_argument("--warm-country", help="the country whose notebook warms the kernel up")
    stop = sub.add_parser("stop", help="stop this report folder's worker, if there is one")
    for command in (run, stop):
        command.add_argument("--report-dir", type=Path, default=ROOT / "report")
    parsed = parser.parse_args(args)
    if parsed.command == "serve":
        return serve(parsed.report_dir, parsed.idle_seconds, parsed.warm_country)
    print("stopped the warm worker" if stop_worker(parsed.report_dir) else "no warm worker was running")
    return 0


if __name__ == "__main__":
    sys.exit(main())
