"""The factcheck project package: settings and wiring only."""

from factcheck.celery import app as celery_app

__all__ = ("celery_app",)
