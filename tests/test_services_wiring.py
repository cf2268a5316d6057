"""The suite runs against the services the environment names (CI runs it on both setups)."""

import os

import pytest
from django.db import connection

from factcheck.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_the_database_is_the_one_database_url_names() -> None:
    expected = (
        "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    )
    assert connection.vendor == expected


def test_the_broker_is_redis_when_redis_url_is_set_else_embedded() -> None:
    scheme = celery_app.conf.broker_url.split("://")[0]
    assert scheme == ("redis" if os.environ.get("REDIS_URL") else "filesystem")
