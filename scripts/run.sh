#!/usr/bin/env bash
# One command to run the app locally: install, migrate, seed the demo newsroom, start the web
# server and a Celery worker (with its beat scheduler), print the URL and the demo logins.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh requirements.txt
mkdir -p var
export PYTHONUNBUFFERED=1
host="${HOST:-127.0.0.1}"
port="${PORT:-8000}"

.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo --url "http://$host:$port"
# The demo CMS key is made anew on each run: keys are stored hashed and shown only once.
.venv/bin/python manage.py api_key_create "Demo CMS" --scope read_write --replace \
  --url "http://$host:$port"

# The worker consumes the embedded broker (var/broker) or Redis when REDIS_URL is set.
.venv/bin/celery -A factcheck worker --beat --loglevel=INFO --concurrency=2 \
  --schedule var/celerybeat-schedule >var/worker.log 2>&1 &
worker_pid=$!
trap 'kill "$worker_pid" 2>/dev/null || true; wait "$worker_pid" 2>/dev/null || true' EXIT INT TERM

echo
echo "factcheck is running at http://$host:$port/  (worker log: var/worker.log; Ctrl-C stops both)"
echo
.venv/bin/python manage.py runserver "$host:$port"
