#!/usr/bin/env bash
# Tools the test suite needs from Debian's packages, installed when missing and we can (root with
# apt-get): chromium for the browser tests (Playwright drives it; we never download a browser
# build of our own) and the openssl command, which makes the TLS tests' certificate. Under
# CI=true a tool that is still missing fails here, as the tests needing it would.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
command -v openssl >/dev/null || missing+=(openssl)
if [ "${#missing[@]}" = 0 ]; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's ${missing[*]} for the tests..."
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  exit 0
fi
echo "Missing Debian packages for the tests: ${missing[*]} (chromium for the browser tests," \
  "openssl for the TLS tests)." >&2
if [ "${CI:-}" = "true" ]; then exit 1; fi
