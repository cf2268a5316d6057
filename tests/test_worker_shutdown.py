"""A worker stopped the way `make run` and docker stop it ends, with its pool, and hangs on nothing.

`scripts/run.sh` and docker-compose send SIGTERM to the worker's main process (remapped to
Celery's cold shutdown by REMAP_SIGTERM=SIGQUIT). The test starts a real prefork worker on the
embedded broker (and on Redis when the services pass provides it), waits until its pool is up,
sends that signal, and checks the worker and every process of its group are gone. The wait is
bounded only so that a hang fails the test instead of the suite; nothing asserts on time.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.worker

BASE_DIR = Path(settings.BASE_DIR)


def _group_members(pgid: int) -> list[int]:
    """Live processes whose process group is `pgid` (Linux /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def _wait(predicate: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


BROKERS = ["embedded"] + (["redis"] if settings.REDIS_URL else [])


@pytest.mark.parametrize("broker", BROKERS)
def test_sigterm_to_the_main_process_stops_the_worker_and_its_pool(
    broker: str, tmp_path: Path
) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL"}
    }
    env.update(FACTCHECK_VAR_DIR=str(tmp_path), REMAP_SIGTERM="SIGQUIT")
    if broker == "redis":
        env["REDIS_URL"] = settings.REDIS_URL
    log = tmp_path / "worker.log"
    with log.open("wb") as output:
        worker = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "celery"),
                "-A",
                "factcheck",
                "worker",
                "--concurrency=2",
                f"--queues=shutdown-{uuid.uuid4().hex[:8]}",
                "--loglevel=INFO",
                f"--hostname=shutdown-{broker}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait(lambda: b"ready." in log.read_bytes(), 60, "the worker starting")
        assert len(_group_members(worker.pid)) == 3  # the main process and two pool children

        worker.send_signal(signal.SIGTERM)
        _wait(lambda: worker.poll() is not None, 30, "the worker stopping on SIGTERM")
        _wait(lambda: not _group_members(worker.pid), 10, "the pool processes ending")
        assert b"Cold shutdown" in log.read_bytes()
    finally:
        if worker.poll() is None or _group_members(worker.pid):
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
