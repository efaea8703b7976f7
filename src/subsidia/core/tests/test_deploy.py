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
    "EMAIL_URL": "smtp+tls://subsidia:mail-password@smtp.example.lu:587",
    "SITE_URL": "https://subsidia.example.lu",
}


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECURE_SSL_REDIRECT", "STATIC_MANIFEST", "DEBUG",
                                                            "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL",
                                                            "EMAIL_URL", "SITE_URL"}}
    return subprocess.run([sys.executable, "-m", "subsidia", *args], env={**clean, **env},  # noqa: S603
                          capture_output=True, text=True, timeout=120, check=False)


def test_check_deploy_is_clean_in_production_mode() -> None:
    result = run(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("missing", ["SECRET_KEY"])
def test_production_refuses_to_start_without_a_secret_key(missing: str) -> None:
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run(env, "check")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("change", "check_id"), [
    ({"EMAIL_URL": None}, "subsidia.E001"),
    ({"SITE_URL": None}, "subsidia.E002"),
    ({"SITE_URL": "http://subsidia.example.lu"}, "subsidia.E002"),
    ({"EMAIL_URL": "consolemail://"}, "subsidia.E003"),
])
def test_check_deploy_fails_without_a_mail_server_and_an_https_site_url(change: dict[str, str | None],
                                                                        check_id: str) -> None:
    env = {k: v for k, v in {**PRODUCTION, **change}.items() if v is not None}
    result = run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert check_id in result.stdout + result.stderr


def test_the_mail_and_site_checks_are_deploy_checks_only() -> None:
    """The test run itself (DEBUG=0, EMAIL_URL=consolemail://, no SITE_URL) passes a plain `check`."""
    env = {k: v for k, v in PRODUCTION.items() if k not in {"EMAIL_URL", "SITE_URL"}}
    result = run(env, "check")
    assert result.returncode == 0, result.stdout + result.stderr
