"""Benchmark source fetching through a real worker (``manage.py bench sources``).

Runs in a throw-away folder (SQLite and the embedded filesystem broker, as `make run` does by
default), never in the desk's own database, against a local HTTP server on 127.0.0.1 that
answers every page after 100 ms.

Steps:
1. Re-run this bench in a child process whose FACTCHECK_VAR_DIR is a temporary folder (its own
   SQLite file and broker folders); migrate it.
2. Start the local server and a fetch worker exactly as `make run` starts it (prefork, the
   default concurrency, the fetch queue), in its own session.
3. Warm up: fetch one page per pool process, so start-up is not counted.
4. Create the sources, queue one fetch each, and time until every one is archived.
5. Stop the worker as `make run` does and time it.
6. Print the total against the ideal (pages × delay / concurrency), their ratio (target ≤ 1.2),
   the overhead per task, and how long the idle worker took to stop.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
PAGE = (
    "<html><head><title>Page {n}</title></head><body><article><h1>Page {n}</h1>"
    "<p>The council spent {n} million pounds on the harbour in year {n}.</p>"
    "</article></body></html>"
)
# The fetch worker's concurrency in `make run` (scripts/run.sh FETCH_CONCURRENCY).
DEFAULT_CONCURRENCY = 4


def _child_env(var_dir: str) -> dict[str, str]:
    """The environment of the bench's child and worker: a throw-away embedded setup."""
    env = {
        **os.environ,
        "FACTCHECK_VAR_DIR": var_dir,
        "FACTCHECK_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "DJANGO_DEBUG": "true",
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    # The database is always a throw-away SQLite file; the broker is the embedded one unless
    # FACTCHECK_BENCH_REDIS_URL names a Redis database the bench may fill and empty.
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "FACTCHECK_MEDIA_ROOT"):
        env.pop(name, None)
    if os.environ.get("FACTCHECK_BENCH_REDIS_URL"):
        env["REDIS_URL"] = os.environ["FACTCHECK_BENCH_REDIS_URL"]
    return env


def run_in_child(urls: int, delay: float, concurrency: int) -> int:
    """Step 1: run the bench in a child process with a temporary var folder; its exit code."""
    with tempfile.TemporaryDirectory(prefix="factcheck-bench-") as var_dir:
        command = [
            sys.executable,
            str(BASE_DIR / "manage.py"),
            "bench",
            "sources",
            "--inner",
            f"--urls={urls}",
            f"--delay={delay}",
            f"--concurrency={concurrency}",
        ]
        return subprocess.call(command, env=_child_env(var_dir), cwd=BASE_DIR)


@contextmanager
def _slow_server(delay: float) -> Iterator[str]:
    """A local server answering every path after `delay` seconds; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(delay)
            body = PAGE.format(n=self.path.rsplit("/", 1)[-1]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 1024
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def _fetch_worker(concurrency: int, stopped: dict[str, float]) -> Iterator[None]:
    """Step 2: the fetch worker as `make run` starts it and stops it (scripts/run.sh): SIGTERM
    to the worker, remapped to Celery's cold shutdown, and its process group killed only if it
    is still there after 15 s. Puts the seconds the idle worker took to stop in `stopped`."""
    from django.conf import settings

    from factcheck.celery import app, fetch_queue_name

    log = open(Path(settings.VAR_DIR) / "worker-fetch.log", "wb")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "factcheck",
            "worker",
            f"--queues={fetch_queue_name(app.conf.task_default_queue)}",
            f"--concurrency={concurrency}",
            "--loglevel=WARNING",
            "--hostname=bench-fetch@%h",
        ],
        cwd=BASE_DIR,
        env={**os.environ, "REMAP_SIGTERM": "SIGQUIT"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield
    finally:
        started = time.perf_counter()
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=15)
            stopped["seconds"] = time.perf_counter() - started
        except subprocess.TimeoutExpired:
            stopped["seconds"] = float("inf")
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()


def _fetch_all(urls: list[str], timeout: float) -> float:
    """Create a source per URL, queue its fetch, and return seconds until all are archived."""
    from reviews.models import Source
    from reviews.tasks import source_fetch_task

    started = time.perf_counter()
    sources = Source.objects.bulk_create(Source(url=url) for url in urls)
    ids = [source.pk for source in sources]
    for source_id in ids:
        source_fetch_task.delay(source_id)
    pending = Source.objects.filter(pk__in=ids).exclude(
        fetch_status__in=[Source.FetchStatus.FETCHED, Source.FetchStatus.FAILED]
    )
    deadline = started + timeout
    while pending.exists():
        if time.perf_counter() > deadline:
            raise RuntimeError(f"{pending.count()} of {len(ids)} sources unfinished")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    failed = Source.objects.filter(pk__in=ids, fetch_status=Source.FetchStatus.FAILED).count()
    if failed:
        raise RuntimeError(f"{failed} of {len(ids)} fetches failed")
    return elapsed


def run(urls: int, delay: float, concurrency: int) -> dict[str, Any]:
    """Steps 2-5, in the child with the throw-away database."""
    from django.conf import settings
    from django.core.management import call_command

    from factcheck.celery import app, fetch_queue_name

    call_command("migrate", verbosity=0)
    if settings.REDIS_URL:
        with app.connection_for_write() as connection:
            channel: Any = connection.default_channel  # kombu's stubs omit queue_purge
            channel.queue_purge(fetch_queue_name(app.conf.task_default_queue))
    stopped: dict[str, float] = {}
    with _slow_server(delay) as base, _fetch_worker(concurrency, stopped):
        _fetch_all([f"{base}/warm/{n}" for n in range(concurrency * 2)], timeout=120)
        total = _fetch_all([f"{base}/page/{n}" for n in range(urls)], timeout=600)
    # CPU the worker and its pool used over the whole run (warm-up and start-up included):
    # against 2 cores x total, it says whether the machine or the waiting was the limit.
    worker_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    ideal = urls * delay / concurrency
    return {
        "urls": urls,
        "delay_s": delay,
        "concurrency": concurrency,
        "total_s": round(total, 2),
        "ideal_s": round(ideal, 2),
        "ratio": round(total / ideal, 3),
        "overhead_ms_per_task": round((total - ideal) * concurrency / urls * 1000, 1),
        "target_ratio": 1.2,
        "worker_cpu_s": round(worker_cpu.ru_utime + worker_cpu.ru_stime, 2),
        "load_average": round(os.getloadavg()[0], 2),
        "broker": "Redis" if settings.REDIS_URL else "embedded",
        "worker_stop_s": round(stopped["seconds"], 1),
    }


def format_report(results: dict[str, Any]) -> str:
    """The figures as the README table shows them."""
    return (
        f"Sources: {results['urls']} pages at {results['delay_s'] * 1000:.0f} ms each, "
        f"{results['concurrency']} fetch processes ({results['broker']} broker, SQLite)\n"
        f"  total {results['total_s']:.2f} s, ideal {results['ideal_s']:.2f} s, "
        f"ratio {results['ratio']:.2f} (target <= {results['target_ratio']}), "
        f"overhead {results['overhead_ms_per_task']:.1f} ms per task\n"
        f"  worker CPU {results['worker_cpu_s']:.1f} s in all; machine load average "
        f"{results['load_average']:.2f} (other work on the machine slows the figure)\n"
        f"  the idle worker stopped {results['worker_stop_s']:.1f} s after SIGTERM "
        "(as `make run` stops it; 15 s means it had to be killed)\n"
    )
