"""The embedded broker: kombu's filesystem transport with a polling loop fit for a local worker.

kombu's virtual transports have no way to wait for a message: the worker asks the folder, and
when nothing can be taken it sleeps `polling_interval` and asks again, for up to the 2 s Celery's
worker loop passes in. Two costs follow, both measured here:

- After a task ends, the next message waits half an interval on average before anyone looks
  (with 100 ms fetches on 4 processes, 10 of the 36 ms overhead per task in `make bench-sources`).
- A worker told to stop notices only when the 2 s call returns.

This transport changes only that loop (`drain_events`): while messages are flowing (one was
delivered in the last `BUSY_SECONDS`) it looks again every `BUSY_POLL_SECONDS`; idle, it polls
at the configured `polling_interval` as before, so an idle worker costs what it did. And it
returns after at most `SLICE_SECONDS`, so Celery's loop checks for a shutdown that often.
Selected in settings (`CELERY_BROKER_TRANSPORT`) when the broker URL is `filesystem://`.

It also publishes each message whole (`Channel._put`). kombu creates the message file under its
final name and only then writes it, while a worker takes any file of that name without waiting
for the writer's lock: a worker that looked in between read an empty message and stopped with
"Unrecoverable error: JSONDecodeError" (seen in this project's tests). Here the message is
written under a name no worker takes and renamed into place, which the file system does at once.

And it takes each message once (`Channel._get`). kombu moves a taken message into the system's
temporary folder; where that folder is on another file system (a tmpfs /tmp, a container's
volume) the move is a copy and a delete, and two workers on one queue can both copy the same
message and run its task twice. Here a message is renamed into the broker's own `processed`
folder, beside the queue: one rename wins, the others find the file gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import uuid
from pathlib import Path
from queue import Empty
from time import monotonic, sleep
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.json import dumps, loads

# A name beginning with a dot never matches the "<time>_<uuid>.<queue>.msg" that workers take.
PARTIAL_PREFIX = ".partial-"


def folder_options(root: Path) -> dict[str, Any]:
    """The transport options that keep the broker's folders under ``root``: messages in
    ``queue``, exchange tables in ``control``; a taken message is renamed into ``processed``
    (one file system with the queue, so the rename is atomic) and removed once read."""
    return {
        "data_folder_in": str(root / "queue"),
        "data_folder_out": str(root / "queue"),
        "processed_folder": str(root / "processed"),
        "control_folder": str(root / "control"),
        "store_processed": False,
    }


def create_folders(root: Path) -> None:
    """Create the folders of ``folder_options(root)``: kombu does not, and fails without them."""
    for name in ("queue", "processed", "control"):
        (root / name).mkdir(parents=True, exist_ok=True)


class Channel(filesystem.Channel):
    """kombu's filesystem channel, whose messages appear in the queue folder only when whole."""

    def _put(  # type: ignore[override]  # kombu's virtual and filesystem channels disagree
        self, queue: str, payload: dict[str, Any], **kwargs: Any
    ) -> None:
        """Put `payload` on `queue`: write it under a partial name, then rename it into place."""
        # kombu's own name: the time first, so a sorted listing is in order by the millisecond.
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, PARTIAL_PREFIX + name)
        data = dumps(payload).encode()  # first: a payload that cannot be sent leaves no file
        try:
            with open(partial, "wb") as file:
                file.write(data)
            os.replace(partial, final)
        except BaseException as exc:
            with contextlib.suppress(OSError):
                os.remove(partial)  # no worker takes it, and nothing else would remove it
            if isinstance(exc, OSError):
                raise ChannelError(f"Cannot add file {final!r} to directory") from exc
            raise

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        """Take the oldest message of `queue`: rename it out of the queue folder, then read it.

        `timeout` is the base channel's; like kombu's filesystem channel, this one never waits.
        """
        wanted = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            # kombu's test of the name: a partial file (".partial-...") never passes it.
            if name.partition(".")[2] != wanted:
                continue
            source, taken = (
                os.path.join(self.data_folder_in, name),
                os.path.join(self.processed_folder, name),
            )
            try:
                os.rename(source, taken)
            except OSError as exc:
                if isinstance(exc, FileNotFoundError) and not os.path.exists(source):
                    continue  # another worker took it first
                # Not "taken by someone else" (a missing folder, folders on two file systems):
                # skipping would leave every message waiting in silence.
                message = f"Cannot take file {name!r} from queue"
                if exc.errno == errno.EXDEV:
                    message += ": the queue and processed folders are on different file systems"
                raise ChannelError(message) from exc
            try:
                with open(taken, "rb") as file:
                    payload = file.read()
                if not self.store_processed:
                    os.remove(taken)
            except OSError as exc:
                raise ChannelError(f"Cannot read file {taken!r} from queue.") from exc
            return loads(payload)
        raise Empty()


BUSY_POLL_SECONDS = 0.001
BUSY_SECONDS = 1.0
SLICE_SECONDS = 0.2


class Transport(filesystem.Transport):
    """kombu's filesystem transport, polling fast while busy and in short slices."""

    Channel = Channel

    _last_delivery = float("-inf")

    def drain_events(  # type: ignore[override]  # kombu's own takes `timeout` the same way
        self, connection: Any, timeout: float | None = None
    ) -> None:
        started = monotonic()
        if timeout is not None:
            timeout = min(timeout, SLICE_SECONDS)
        assert self.cycle is not None  # set up with the transport
        get = self.cycle.get
        while True:
            try:
                get(self._deliver, timeout=timeout)
            except Empty:
                now = monotonic()
                if timeout is not None and now - started >= timeout:
                    raise TimeoutError() from None  # socket.timeout, as kombu raises it
                busy = now - self._last_delivery < BUSY_SECONDS
                interval = BUSY_POLL_SECONDS if busy else self.polling_interval
                if interval is not None:
                    sleep(interval if timeout is None else min(interval, timeout))
            else:
                self._last_delivery = monotonic()
                return
