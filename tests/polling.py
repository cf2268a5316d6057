"""Waiting for a row that a real worker writes.

On SQLite the test database is a file in WAL mode (tests/conftest.py): a read does not wait for
the worker's write, and the busy timeout covers the brief locks of a checkpoint, so any error
here is a real one and is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def poll(read: Callable[[], T], done: Callable[[T], bool], *, timeout: float = 30.0) -> T:
    """Read until `done(value)`; return the last value read (the caller asserts on it).

    The bound only keeps a broken run from hanging the suite; nothing asserts on time.
    """
    deadline = time.monotonic() + timeout
    value = read()
    while not done(value) and time.monotonic() < deadline:
        time.sleep(0.1)
        value = read()
    return value
