"""Production settings: `subsidia check --deploy` prints no warning, and unsafe settings refuse to start."""

import os
import subprocess
import sys

import pytest

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "p" * 20 + "-production-like-secret-key-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "subsidia.example.lu",
    "DATABASE_URL": "sqlite:////tmp/subsidia-deploy-check.sqlite3",
}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECURE_SSL_REDIRECT", "STATIC_MANIFEST", "DEBUG",
                                                            "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}}
    return subprocess.run([sys.executable, "-m", "subsidia", *args], env={**clean, **env},  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_in_production_mode():
    result = run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY"])
def test_production_refuses_to_start_without_a_secret_key(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
