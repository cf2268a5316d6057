#!/usr/bin/env bash
# One command to run the app locally: install, migrate, seed the demo newsroom, start the web
# server, a Celery worker (with its beat scheduler) and the demo source pages, print the URL and
# the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements.txt
mkdir -p var
export PYTHONUNBUFFERED=1
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"
# The demo's source pages (claims/demo/sources: our own pages about the made-up town) on a port
# of their own, the one non-public address the fetcher may reach (FACTCHECK_FETCH_ALLOWED_ORIGINS,
# development only): evidence cites them and the worker archives them without the internet.
sources_port="${DEMO_SOURCES_PORT:-$((port + 1))}"
sources_url="http://127.0.0.1:$sources_port"
export FACTCHECK_FETCH_ALLOWED_ORIGINS="127.0.0.1:$sources_port"

pids=()
stop() {
  trap - EXIT INT TERM
  # SIGTERM (a cold shutdown, see REMAP_SIGTERM) to each worker's main process only: it stops
  # its pool children itself. (Signalled directly, an idle child can die holding the pool's
  # queue lock, and the main process then waits on that lock for good.) A fetch cut short is
  # taken over later through its lease. Past 10 s, kill each worker's whole process group.
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 100); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop EXIT INT TERM

# Something else listening on that port would be what the fetcher archives: refuse to start.
# (SO_REUSEADDR, as http.server binds: a socket left in TIME_WAIT by a previous run is no clash.)
if ! .venv/bin/python - "$sources_port" <<'PY' 2>/dev/null
import socket, sys
probe = socket.socket()
probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
probe.bind(("127.0.0.1", int(sys.argv[1])))
PY
then
  echo "Port $sources_port, for the demo source pages, is in use: free it or set DEMO_SOURCES_PORT." >&2
  exit 1
fi
setsid .venv/bin/python -m http.server "$sources_port" --bind 127.0.0.1 \
  --directory claims/demo/sources >var/demo-sources.log 2>&1 &
pids+=("$!")

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo --url "http://$host:$port" --sources-url "$sources_url"
# The demo CMS key is made anew on each run: keys are stored hashed and shown only once.
.venv/bin/python manage.py api_key_create "Demo CMS" --scope read_write --replace \
  --url "http://$host:$port"

# The source pages listen before any worker may fetch them.
if ! .venv/bin/python - "$sources_port" <<'PY'
import socket, sys, time
for _ in range(50):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit(1)
PY
then
  echo "The demo source pages did not start (see var/demo-sources.log)." >&2
  exit 1
fi

# Two workers on the embedded broker (var/broker) or Redis when REDIS_URL is set: one for
# fetching sources (many slow requests), one with beat for everything else (webhooks, sweeps),
# so a flood of slow sources never delays the rest. Each starts in its own process group, so
# stopping it stops its pool children too.
# SIGTERM makes Celery wait for running tasks (a fetch may take its whole deadline); remapped to
# its cold shutdown, a worker gives them FACTCHECK_WORKER_SHUTDOWN_SECONDS and puts the rest back.
export REMAP_SIGTERM=SIGQUIT
setsid .venv/bin/celery -A factcheck worker --queues=celery.fetch --hostname=fetch@%h \
  --loglevel=INFO --concurrency="${FETCH_CONCURRENCY:-4}" >var/worker-fetch.log 2>&1 &
pids+=("$!")
setsid .venv/bin/celery -A factcheck worker --queues=celery --hostname=default@%h --beat \
  --loglevel=INFO --concurrency=1 --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
pids+=("$!")

echo
echo "factcheck is running at http://$host:$port/  (worker logs: var/worker.log, var/worker-fetch.log;"
echo "Ctrl-C stops everything)"
echo "Demo source pages to cite as evidence (archived offline): $sources_url/"
echo
.venv/bin/python manage.py runserver "$host:$port"
