#!/usr/bin/env bash
# Browser tests drive Debian's chromium through Playwright; install it from Debian's packages when
# missing and we can (root with apt-get). Never downloads a browser build of its own.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium and chromium-driver for the browser tests..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  exit 0
fi
echo "No /usr/bin/chromium: install Debian's 'chromium' package to run the browser tests." >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
