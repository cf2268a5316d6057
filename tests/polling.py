"""Waiting for a row that a real worker in this process writes.

The SQLite pass runs the tests on a shared-cache in-memory database, which the in-thread worker
shares. In shared-cache mode a connection that meets another's table lock gets SQLITE_LOCKED
("database table is locked") at once: the busy timeout does not apply. A test polling a row
while the worker's transaction holds its table would then fail on the read itself, so a locked
read here counts as "not yet" and is tried again on the next tick. Any other error is raised.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.db import OperationalError

T = TypeVar("T")


def poll(read: Callable[[], T], done: Callable[[T], bool], *, timeout: float = 30.0) -> T:
    """Read until `done(value)`; return the last value read (the caller asserts on it).

    The bound only keeps a broken run from hanging the suite; nothing asserts on time.
    """
    deadline = time.monotonic() + timeout
    value: T | None = None
    read_once = False
    while time.monotonic() < deadline:
        try:
            value, read_once = read(), True
        except OperationalError as error:
            if "locked" not in str(error):
                raise
        else:
            if done(value):
                return value
        time.sleep(0.1)
    if not read_once:
        raise AssertionError(f"the row stayed locked for {timeout} s")
    return value  # type: ignore[return-value]
