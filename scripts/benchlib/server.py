"""gunicorn on 127.0.0.1 in production mode over one benchmark database, and what /proc says of its workers.

Production-like: ``DEBUG=0``, a SECRET_KEY made for the run, ``ALLOWED_HOSTS=127.0.0.1``, the static files
collected (the manifest storage), HTTPS enforced as behind the TLS proxy of production (``BEHIND_TLS_PROXY=1``:
the harness sends ``X-Forwarded-Proto: https``), secure cookies. ``SUBSIDIA_BENCH=1`` adds the query-count
header and the bare view (src/subsidia/core/bench.py).
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from .build import BENCH_DIR, BIN, ROOT, BenchError, Database, run

PROXY_HEADERS = {"X-Forwarded-Proto": "https"}
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def new_secret_key() -> str:
    return "bench-" + secrets.token_urlsafe(48)


def server_env(db: Database, secret_key: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUBSIDIA_", "DATABASE_", "MIGRATION_"))}
    for name in ("DEBUG", "REDIS_URL", "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                 "STATIC_MANIFEST", "HUEY_IMMEDIATE", "EMAIL_URL", "ALLOWED_HOSTS"):
        env.pop(name, None)
    env.update({
        "DEBUG": "0", "SECRET_KEY": secret_key, "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": db.url,
        "SUBSIDIA_VAR_DIR": str(db.var_dir), "MEDIA_ROOT": str(db.var_dir / "media"),
        "STATIC_ROOT": str(BENCH_DIR / "static"), "BEHIND_TLS_PROXY": "1", "SITE_URL": "https://127.0.0.1",
        "EMAIL_URL": "dummymail://", "SUBSIDIA_BENCH": "1", "LOG_LEVEL": "WARNING",
    })
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def collect_static(env: dict[str, str]) -> None:
    run([str(BIN / "subsidia"), "collectstatic", "--noinput", "-v", "0"], env, what="collectstatic")


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    env: dict[str, str]
    log: Path

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        return [int(child) for child in children]

    def log_tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def wait_ready(server: Server, workers: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise BenchError(f"gunicorn exited with code {server.process.returncode}:\n{server.log_tail()}")
        try:
            ready = httpx.get(f"{server.base}/healthz", headers=PROXY_HEADERS, timeout=5).status_code == 200
        except httpx.HTTPError:
            ready = False
        if ready and len(server.worker_pids()) == workers:
            return
        time.sleep(0.3)
    raise BenchError(f"gunicorn did not answer /healthz within {seconds:.0f} s:\n{server.log_tail()}")


@contextmanager
def serve(db: Database, env: dict[str, str], *, workers: int, timeout: int) -> Iterator[Server]:
    port = free_port()
    log = BENCH_DIR / f"gunicorn-{db.engine}-{db.size}.log"
    log.write_text("")
    command = [str(BIN / "gunicorn"), "subsidia.wsgi:application", "--bind", f"127.0.0.1:{port}",
               "--workers", str(workers), "--timeout", str(timeout), "--access-logfile", "/dev/null",
               "--error-logfile", str(log), "--forwarded-allow-ips", "127.0.0.1"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,  # noqa: S603
                               stderr=subprocess.DEVNULL)
    server = Server(process, f"http://127.0.0.1:{port}", env, log)
    try:
        wait_ready(server, workers)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- /proc -----------------------------------------------------------------------------------------

def status_kb(pid: int, field: str) -> int:
    """A ``VmRSS``/``VmHWM`` line of /proc/PID/status, in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise BenchError(f"/proc/{pid}/status has no {field}")


def reset_peak(pid: int) -> bool:
    """Reset the process's peak resident memory (VmHWM) to its current size (``5`` into clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of the processes so far."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS_PER_SECOND
