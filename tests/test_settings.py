"""Production settings refuse unsafe configurations and pass `check --deploy`."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FACTCHECK_"))
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key() -> None:
    result = _manage("check", DJANGO_DEBUG="false")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize(
    ("allowance", "value"),
    [
        ("FACTCHECK_FETCH_ALLOWED_NETWORKS", "127.0.0.0/8"),  # the tests' loopback network
        ("FACTCHECK_FETCH_ALLOWED_ORIGINS", "127.0.0.1:8001"),  # make run's demo source pages
    ],
)
def test_production_refuses_a_non_public_fetch_allowance(allowance: str, value: str) -> None:
    result = _manage(
        "check",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **{allowance: value},
    )
    assert result.returncode != 0
    assert f"{allowance} lets the server fetch" in result.stderr


def test_an_origin_without_a_port_is_a_clear_error() -> None:
    result = _manage("check", FACTCHECK_FETCH_ALLOWED_ORIGINS="127.0.0.1")
    assert result.returncode != 0
    assert "FACTCHECK_FETCH_ALLOWED_ORIGINS: Invalid origin" in result.stderr
    assert _manage("check", FACTCHECK_FETCH_ALLOWED_ORIGINS="127.0.0.1:8001").returncode == 0


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_garbled_boolean_is_a_clear_error(value: str) -> None:
    result = _manage("check", DJANGO_DEBUG=value)
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


def test_check_deploy_reports_nothing_with_production_settings() -> None:
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="factcheck.example",
    )
    assert result.returncode == 0, result.stderr


def test_empty_variables_as_in_env_example_mean_the_defaults() -> None:
    result = _manage(
        "check", DATABASE_URL="", FACTCHECK_VAR_DIR="", DJANGO_STATIC_ROOT="", DJANGO_DEBUG=""
    )
    assert result.returncode == 0, result.stderr
