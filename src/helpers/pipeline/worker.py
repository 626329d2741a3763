"""`make country` with a warm worker: one country's page in seconds, not in the time a kernel takes to start.

    python -m helpers.pipeline.worker country PT --report-dir report --provenance data/processed/provenance.json

Run cold, `make country` starts a process, a kernel, and the kernel's imports (pandas, matplotlib,
seaborn) before its two seconds of work (docs/performance.md). So after a cold run it leaves a
*warm worker*: a process of its own session holding the runner's imports, a kernel with the
notebook's imports, and the claims already evaluated, listening on a socket in the report folder
(``<report>/.worker/socket``, for this user only). The next `make country` hands the worker its
request and prints what it prints; the page is the same, byte for byte (each notebook starts from
an empty namespace in the kernel, as in the build's pool of kernels).

The worker serves only the code it was started with: each request carries a fingerprint of the
project's code (every file of helpers, the catalogue, the Python and the kernel); a different
one, and the worker stops and the request runs cold (and leaves a fresh worker). It stops by
itself after WARM_MINUTES minutes without a request (default 10; 0: no worker is left), when its
report folder is gone, and on `make clean` (``python -m helpers.pipeline.worker stop``). Without a
worker, or where a socket cannot be made, everything runs cold, as before.

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
import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SOCKET_NAME = "socket"
READY_TIMEOUT = 120.0  # seconds a request waits for a worker still warming up


def worker_dir(report_dir: Path) -> Path:
    return Path(report_dir).resolve() / ".worker"


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


# ----------------------------------------------------------------------------- messages: length + JSON


def _send(connection: socket.socket, message: dict) -> None:
    data = json.dumps(message).encode()
    connection.sendall(struct.pack("!I", len(data)) + data)


def _receive(connection: socket.socket) -> dict | None:
    def exactly(count: int) -> bytes | None:
        chunks, left = [], count
        while left:
            chunk = connection.recv(min(left, 1 << 16))
            if not chunk:
                return None
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)

    header = exactly(4)
    if header is None:
        return None
    body = exactly(struct.unpack("!I", header)[0])
    return None if body is None else json.loads(body)


# ----------------------------------------------------------------------------- the client


def ask_worker(report_dir: Path, request: dict) -> dict | None:
    """The worker's answer to `request`, or None when there is no worker (or a stale one, which stops)."""
    path = worker_dir(report_dir) / SOCKET_NAME
    if not path.exists():
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
            connection.settimeout(READY_TIMEOUT)
            connection.connect(str(path))
            _send(connection, {**request, "fingerprint": fingerprint()})
            connection.settimeout(None)  # a notebook takes what it takes
            answer = _receive(connection)
    except OSError:
        return None
    if not answer or answer.get("stale"):
        return None
    return answer


def start_worker(report_dir: Path, minutes: int, warm_country: str) -> None:
    """A warm worker for the next `make country`, in a session of its own (never the build's child)."""
    log = open(os.environ.get("OECD_BUILD_LOG", ROOT / "build.log"), "a")  # noqa: SIM115 - handed to the child
    with log:
        subprocess.Popen([sys.executable, "-m", "helpers.pipeline.worker", "serve", "--report-dir",
                          str(Path(report_dir).resolve()), "--idle-seconds", str(minutes * 60),
                          "--warm-country", warm_country], cwd=ROOT, stdin=subprocess.DEVNULL, stdout=log,
                         stderr=log, start_new_session=True, close_fds=True)


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
        print(f"(run by the warm worker in {time.monotonic() - started:.1f} s; it stops after "
              f"{answer['idle_minutes']} idle minutes: WARM_MINUTES)")
        return answer["exit"]
    from helpers.pipeline import site

    status = site.main(["country", *argv])
    if status == 0 and minutes > 0:
        start_worker(args.report_dir, minutes, args.code.upper())
    return status


# ----------------------------------------------------------------------------- the worker


def serve(report_dir: Path, idle_seconds: float, warm_country: str | None = None) -> int:
    """Listen on <report>/.worker/socket and run requests one at a time, until idle for `idle_seconds`."""
    folder = worker_dir(report_dir)
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / SOCKET_NAME
    if len(str(path).encode()) > 100:  # the system's limit for a socket's path is 108 bytes
        print(f"warm worker: {path} is too long a path for a socket; none is kept", file=sys.stderr)
        return 0
    if ask_worker(report_dir, {"command": "ping"}) is not None:
        return 0  # another worker serves this folder already
    own = fingerprint()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path.unlink(missing_ok=True)
    listener.bind(str(path))
    os.chmod(path, 0o600)
    listener.listen(4)
    try:
        _warm_up(report_dir, warm_country)
        listener.settimeout(min(idle_seconds, 30.0) or 0.1)
        last_used = time.monotonic()
        while report_dir.resolve().exists() and path.exists():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                if time.monotonic() - last_used >= idle_seconds:
                    break
                continue
            with connection:
                if not _same_user(connection):
                    continue
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
        listener.close()
        path.unlink(missing_ok=True)
    return 0


def _same_user(connection: socket.socket) -> bool:
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return uid == os.getuid()


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
    return {"exit": status, "stdout": stdout.getvalue(), "stderr": stderr.getvalue(),
            "idle_minutes": round(idle_seconds / 60)}


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
