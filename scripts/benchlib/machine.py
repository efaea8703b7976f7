"""The machine and the software versions the figures were measured with."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import psycopg

from .build import PG_SERVER


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def ram_gb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def postgres_version() -> str | None:
    try:
        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]) if row else None


def machine(engine: str, wrk: str) -> dict[str, Any]:
    found: dict[str, Any] = {
        "cpu": cpu_model(), "cores": os.cpu_count(), "ram_gb": ram_gb(),
        "os": f"{platform.system()} {platform.release()}", "python": sys.version.split()[0],
        "django": version("django"), "gunicorn": version("gunicorn"), "sqlite": sqlite3.sqlite_version,
        "wrk": wrk,
    }
    if engine == "postgres":
        found["postgres"] = postgres_version()
    found["database"] = f"PostgreSQL {found['postgres']}" if engine == "postgres" else f"SQLite {found['sqlite']}"
    return found
