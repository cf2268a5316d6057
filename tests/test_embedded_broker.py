"""The embedded broker (factcheck/broker.py): its polling loop, driven by a fake clock, and
its publishing, which never shows a worker a half-written message.

kombu's filesystem transport cannot wait for a message, only poll; these tests pin down how
our loop polls: fast while messages flow, at the configured interval when idle, and never
longer than a slice per call, so Celery's worker loop sees a shutdown promptly.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path
from queue import Empty
from typing import Any

import pytest
from kombu import Connection
from kombu.exceptions import ChannelError

from factcheck import broker


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Queue:
    """Stands in for kombu's cycle: delivers the messages it is given when their time comes."""

    def __init__(self, clock: FakeClock, arrivals: list[float]) -> None:
        self.clock = clock
        self.arrivals = sorted(arrivals)
        self.delivered: list[float] = []
        self.asked = 0

    def get(self, callback: Any, timeout: float | None = None) -> None:
        self.asked += 1
        if self.arrivals and self.arrivals[0] <= self.clock.now:
            self.arrivals.pop(0)
            self.delivered.append(self.clock.now)
            callback("message", "celery")
            return
        raise Empty()


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(broker, "monotonic", fake.monotonic)
    monkeypatch.setattr(broker, "sleep", fake.sleep)
    return fake


def _transport(clock: FakeClock, arrivals: list[float], interval: float = 0.02) -> Any:
    transport = broker.Transport.__new__(broker.Transport)  # no broker folders needed
    transport.polling_interval = interval
    transport.cycle = Queue(clock, arrivals)
    transport.received = []
    transport._deliver = lambda message, queue: transport.received.append(message)
    return transport


def test_an_empty_queue_returns_after_one_slice_not_the_whole_timeout(clock: FakeClock) -> None:
    transport = _transport(clock, arrivals=[])
    started = clock.now
    with pytest.raises(socket.timeout):
        transport.drain_events(None, timeout=2.0)
    assert broker.SLICE_SECONDS <= clock.now - started < broker.SLICE_SECONDS + 0.05
    # Idle: it polled at the configured interval.
    assert set(clock.sleeps) == {0.02}


def test_a_waiting_message_is_delivered_without_sleeping(clock: FakeClock) -> None:
    transport = _transport(clock, arrivals=[clock.now])
    transport.drain_events(None, timeout=2.0)
    assert transport.received == ["message"]
    assert clock.sleeps == []


def test_after_a_delivery_it_polls_fast_and_idle_again_later(clock: FakeClock) -> None:
    start = clock.now
    transport = _transport(clock, arrivals=[start, start + 0.0105])
    transport.drain_events(None, timeout=2.0)
    clock.sleeps.clear()
    # Busy: the next message, 10.5 ms later, is picked up within a busy poll of its arrival.
    transport.drain_events(None, timeout=2.0)
    assert transport.received == ["message", "message"]
    assert set(clock.sleeps) == {broker.BUSY_POLL_SECONDS}
    assert transport.cycle.delivered[1] - (start + 0.0105) <= broker.BUSY_POLL_SECONDS
    # Once nothing has come for BUSY_SECONDS, it is back to the idle interval.
    clock.now += broker.BUSY_SECONDS
    clock.sleeps.clear()
    with pytest.raises(socket.timeout):
        transport.drain_events(None, timeout=2.0)
    assert set(clock.sleeps) == {0.02}


def test_without_a_timeout_it_waits_until_a_message_comes(clock: FakeClock) -> None:
    transport = _transport(clock, arrivals=[clock.now + 5.0])
    transport.drain_events(None, timeout=None)
    assert transport.received == ["message"]
    assert clock.now >= transport.cycle.delivered[0]


def test_a_timeout_shorter_than_the_slice_is_kept(clock: FakeClock) -> None:
    transport = _transport(clock, arrivals=[])
    started = clock.now
    with pytest.raises(socket.timeout):
        transport.drain_events(None, timeout=0.05)
    assert 0.05 <= clock.now - started < 0.05 + 0.02 + 1e-9


# --- Publishing: a worker never sees a message half written ----------------------------------


@pytest.fixture
def channel(tmp_path: Path) -> Iterator[Any]:
    """Our transport's channel on broker folders of its own."""
    broker.create_folders(tmp_path)
    options = broker.folder_options(tmp_path)
    with Connection("filesystem://", transport=broker.Transport, transport_options=options) as conn:
        yield conn.default_channel


def test_a_message_appears_in_the_queue_only_once_it_is_whole(
    channel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = {"body": "x" * 100_000, "headers": {"id": "one"}}
    real_replace = os.replace
    seen: list[str] = []

    def replace(partial: str, final: str) -> None:
        # Written in full under its partial name, and nothing a worker could take yet.
        assert json.loads(Path(partial).read_text()) == payload
        assert channel._size("q") == 0
        with pytest.raises(Empty):
            channel._get("q")
        seen.append(final)
        real_replace(partial, final)

    monkeypatch.setattr(broker.os, "replace", replace)
    channel._put("q", payload)
    assert len(seen) == 1 and channel._size("q") == 1
    assert channel._get("q") == payload
    assert not list(Path(channel.data_folder_out).iterdir())  # no partial file left behind


def test_a_worker_taking_messages_while_another_process_publishes_them_reads_each_whole(
    channel: Any,
) -> None:
    """kombu's own `_put` lost this race in the suite: the worker read an empty file.

    The publisher is a process of its own, so both run at once and the worker often looks
    between a file's creation and its writing: with kombu's own `_put` this test fails in most
    runs, and the deterministic test above pins the rule down.
    """
    count = 300
    publisher = multiprocessing.get_context("fork").Process(
        target=_publish, args=(channel, count), daemon=True
    )
    publisher.start()
    received: list[int] = []
    try:
        while len(received) < count and (publisher.is_alive() or channel._size("q")):
            try:
                message = channel._get("q")
            except Empty:
                continue
            assert message["body"] == "y" * 20_000
            received.append(message["number"])
    finally:
        publisher.join(timeout=30)
    assert publisher.exitcode == 0
    # Every one, whole (the order is kombu's: by the millisecond, random within one).
    assert sorted(received) == list(range(count))


def _publish(channel: Any, count: int) -> None:
    for number in range(count):
        channel._put("q", {"number": number, "body": "y" * 20_000})


# --- Taking: each message once, without leaving the broker's folders --------------------------


def test_a_taken_message_goes_through_the_brokers_own_folder_not_the_system_temp_folder(
    channel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kombu moves a taken message to the system temp folder: on another file system that is a
    copy and a delete, which two workers can both do. Ours never goes there."""
    monkeypatch.setattr(broker.os, "rename", _recording_rename(renamed := []))
    monkeypatch.setattr("tempfile.tempdir", "/nonexistent-temp-folder")  # kombu's move fails
    channel._put("q", {"number": 1})
    assert channel._get("q") == {"number": 1}
    [(source, target)] = renamed
    assert Path(source).parent == Path(channel.data_folder_in)
    assert Path(target).parent == Path(channel.processed_folder)
    assert not list(Path(channel.processed_folder).iterdir())  # read, then removed
    with pytest.raises(Empty):
        channel._get("q")


def _recording_rename(calls: list[tuple[str, str]]) -> Any:
    real = os.rename

    def rename(source: str, target: str) -> None:
        calls.append((source, target))
        real(source, target)

    return rename


def test_a_message_another_worker_took_first_is_skipped_for_the_next(
    channel: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel._put("q", {"number": 1})
    channel._put("q", {"number": 2})
    real = os.rename
    gone: list[int] = []

    def rename(source: str, target: str) -> None:
        if not gone:  # a worker elsewhere takes the first one between listing and rename
            gone.append(json.loads(Path(source).read_text())["number"])
            os.remove(source)
        real(source, target)

    monkeypatch.setattr(broker.os, "rename", rename)
    assert channel._get("q") == {"number": 3 - gone[0]}  # the other one
    with pytest.raises(Empty):
        channel._get("q")


def test_a_queue_that_cannot_be_taken_from_is_an_error_not_an_empty_queue(
    channel: Any, tmp_path: Path
) -> None:
    channel._put("q", {"number": 1})
    Path(channel.processed_folder).rmdir()
    with pytest.raises(ChannelError, match="Cannot take file"):
        channel._get("q")
    assert channel._size("q") == 1  # still there for when the folder is back


def test_two_workers_taking_from_one_queue_at_once_take_each_message_exactly_once(
    channel: Any, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    """With the system temp folder on another file system (a tmpfs here), kombu's own `_get`
    copies a message and then deletes it, and both workers may copy it first."""
    shm = Path("/dev/shm")
    if shm.is_dir() and shm.stat().st_dev != Path(channel.data_folder_in).stat().st_dev:
        foreign = tempfile.mkdtemp(dir=shm)
        request.addfinalizer(lambda: shutil.rmtree(foreign, ignore_errors=True))
        monkeypatch.setattr("tempfile.tempdir", foreign)
    count = 400
    for number in range(count):
        channel._put("q", {"number": number})
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    takers = [
        context.Process(target=_take_all, args=(channel, results), daemon=True) for _ in range(2)
    ]
    for taker in takers:
        taker.start()
    taken = [results.get(timeout=60) for _ in takers]
    for taker in takers:
        taker.join(timeout=30)
        assert taker.exitcode == 0
    assert sorted(taken[0] + taken[1]) == list(range(count))  # none twice, none lost
    assert not list(Path(channel.processed_folder).iterdir())


def _take_all(channel: Any, results: Any) -> None:
    numbers = []
    while True:
        try:
            numbers.append(channel._get("q")["number"])
        except Empty:
            break
    results.put(numbers)
