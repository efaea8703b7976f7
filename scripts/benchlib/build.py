"""The benchmark's two databases, built once and kept under var/bench/ (SQLite) or in the PostgreSQL server
(subsidia_bench_demo, subsidia_bench_large), and rebuilt only when their key changes: the git tree of src/
(with any uncommitted change to it) and the sizes of the bulk data.

demo:  ``subsidia migrate`` + ``subsidia load-demo``, as ``make run`` does.
large: a copy of the demo (the same file, or PostgreSQL's ``CREATE DATABASE … TEMPLATE``) +
       ``subsidia generate-bulk --organisations N --applications M --audit K --seed S``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
BENCH_DIR = ROOT / "var" / "bench"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_NAMES = {"demo": "subsidia_bench_demo", "large": "subsidia_bench_large"}
KEY_FILE = "bench-key"


class BenchError(RuntimeError):
    """A step of the benchmark failed: the message says which and why."""


@dataclass(frozen=True)
class Sizes:
    organisations: int = 5000
    applications: int = 100_000
    audit: int = 200_000
    seed: int = 13

    def arguments(self) -> list[str]:
        return ["--organisations", str(self.organisations), "--applications", str(self.applications),
                "--audit", str(self.audit), "--seed", str(self.seed)]


@dataclass(frozen=True)
class Database:
    engine: str  # "sqlite" or "postgres"
    size: str  # "demo" or "large"
    var_dir: Path  # SUBSIDIA_VAR_DIR: the SQLite file, the task queue, the uploaded files

    @property
    def url(self) -> str:
        if self.engine == "postgres":
            return f"{PG_SERVER}/{PG_NAMES[self.size]}"
        return f"sqlite:///{self.var_dir / 'subsidia.sqlite3'}"

    @property
    def label(self) -> str:
        return f"{self.engine} {self.size}"


def database(engine: str, size: str) -> Database:
    return Database(engine, size, BENCH_DIR / f"{engine}-{size}")


def run(command: Sequence[str], env: dict[str, str], *, log: Path | None = None, what: str = "") -> str:
    """Run a command of the build; its output goes to ``log`` (or is returned); a failure says what failed."""
    started = time.monotonic()
    if log is not None:
        with log.open("a", encoding="utf-8") as out:
            out.write(f"$ {' '.join(command)}\n")
            out.flush()
            code = subprocess.run(command, env=env, stdout=out, stderr=subprocess.STDOUT, check=False,  # noqa: S603
                                  cwd=ROOT).returncode
        output, problem = "", f" (see {log})"
    else:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False, cwd=ROOT)  # noqa: S603
        code, output = done.returncode, done.stdout
        problem = f":\n{(done.stdout + done.stderr)[-3000:]}"
    if code != 0:
        raise BenchError(f"{what or command[1]} failed with exit code {code}{problem}")
    print(f"  {what or ' '.join(command[1:3])}: {time.monotonic() - started:.0f} s", flush=True)
    return output


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], capture_output=True, text=True, check=True, cwd=ROOT)  # noqa: S603,S607
    return done.stdout


def source_key() -> str:
    """The committed tree of src/ and any uncommitted change under it."""
    digest = hashlib.sha256(git("rev-parse", "HEAD:src").encode())
    digest.update(git("diff", "HEAD", "--", "src").encode())
    for name in git("ls-files", "--others", "--exclude-standard", "--", "src").split():
        digest.update(name.encode())
        digest.update((ROOT / name).read_bytes())
    return digest.hexdigest()


def cache_key(db: Database, sizes: Sizes, source: str) -> str:
    parts = {"source": source, "engine": db.engine, "size": db.size,
             "sizes": asdict(sizes) if db.size == "large" else None}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:20]


def build_env(db: Database, var_dir: Path | None = None) -> dict[str, str]:
    """The environment of the build commands: development mode (as ``make run`` builds the demo)."""
    where = var_dir or db.var_dir
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUBSIDIA_", "DATABASE_", "MIGRATION_"))}
    url = db.url if db.engine == "postgres" else f"sqlite:///{where / 'subsidia.sqlite3'}"
    env.update({"DEBUG": "1", "DATABASE_URL": url, "SUBSIDIA_VAR_DIR": str(where), "MEDIA_ROOT": str(where / "media"),
                "HUEY_IMMEDIATE": "0", "PYTHONUNBUFFERED": "1"})
    return env


# --- SQLite ----------------------------------------------------------------------------------------

def sqlite_key(db: Database) -> str | None:
    path = db.var_dir / KEY_FILE
    return path.read_text().strip() if path.exists() and (db.var_dir / "subsidia.sqlite3").exists() else None


def build_sqlite(db: Database, key: str, sizes: Sizes, demo: Database) -> None:
    """Build into a scratch folder, then put it in place: an interrupted build leaves no database behind."""
    scratch = db.var_dir.with_name(db.var_dir.name + ".building")
    shutil.rmtree(scratch, ignore_errors=True)
    env = build_env(db, scratch)
    log = BENCH_DIR / f"build-{db.engine}-{db.size}.log"
    log.write_text("")
    if db.size == "demo":
        scratch.mkdir(parents=True)
        demo_steps(env, log)
    else:
        shutil.copytree(demo.var_dir, scratch)
        (scratch / KEY_FILE).unlink()
        bulk_step(env, log, sizes)
    (scratch / KEY_FILE).write_text(key + "\n")
    shutil.rmtree(db.var_dir, ignore_errors=True)
    scratch.rename(db.var_dir)


def demo_steps(env: dict[str, str], log: Path) -> None:
    run([str(BIN / "subsidia"), "migrate", "--noinput"], env, log=log, what="migrate")
    run([str(BIN / "subsidia"), "load-demo"], env, log=log, what="load-demo")


def bulk_step(env: dict[str, str], log: Path, sizes: Sizes) -> None:
    probe = subprocess.run([str(BIN / "subsidia"), "help", "generate_bulk"], env=env, capture_output=True,  # noqa: S603
                           text=True, check=False, cwd=ROOT)
    if probe.returncode != 0:
        raise BenchError("`subsidia generate-bulk` is not available (issue 13, part 1): the large database cannot "
                         "be built. Run with --only demo to measure the demo alone.")
    run([str(BIN / "subsidia"), "generate-bulk", *sizes.arguments()], env, log=log, what="generate-bulk")


# --- PostgreSQL ------------------------------------------------------------------------------------

def pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True)


def pg_key(db: Database) -> str | None:
    with pg_admin() as conn:
        row = conn.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                           [PG_NAMES[db.size]]).fetchone()
    return str(row[0]) if row and row[0] else None


def pg_recreate(name: str, template: str | None = None) -> None:
    with pg_admin() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(name),
                                                                           sql.Identifier(template)))
        else:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def pg_mark(name: str, key: str) -> None:
    with pg_admin() as conn:
        conn.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(key)))


def build_postgres(db: Database, key: str, sizes: Sizes, demo: Database) -> None:
    """The key is written (as the database's comment) last: an interrupted build is rebuilt next time."""
    name = PG_NAMES[db.size]
    log = BENCH_DIR / f"build-{db.engine}-{db.size}.log"
    log.write_text("")
    shutil.rmtree(db.var_dir, ignore_errors=True)
    if db.size == "demo":
        pg_recreate(name)
        db.var_dir.mkdir(parents=True)
        demo_steps(build_env(db), log)
    else:
        pg_recreate(name, template=PG_NAMES["demo"])
        shutil.copytree(demo.var_dir, db.var_dir)
        bulk_step(build_env(db), log, sizes)
    pg_mark(name, key)


# --- both ------------------------------------------------------------------------------------------

def ensure(db: Database, sizes: Sizes, source: str, demo: Database) -> bool:
    """Build ``db`` unless it is there with the same key; True when it was built."""
    key = cache_key(db, sizes, source)
    found = pg_key(db) if db.engine == "postgres" else sqlite_key(db)
    if found == key and db.var_dir.exists():
        print(f"{db.label}: cached (key {key})", flush=True)
        return False
    print(f"{db.label}: building (key {key}; log in var/bench/build-{db.engine}-{db.size}.log)", flush=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if db.engine == "postgres":
        build_postgres(db, key, sizes, demo)
    else:
        build_sqlite(db, key, sizes, demo)
    return True
