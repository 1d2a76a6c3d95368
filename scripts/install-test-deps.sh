#!/usr/bin/env bash
# Installs what the tests, the browser tests and the benchmarks need on a bare
# Debian 12 machine, as root. Safe to run again: it installs only what is missing.
#
#   Debian: postgresql (15), chromium (driven by Playwright, no `playwright install`),
#           nginx and wrk (bench/), ca-certificates, curl
#   PyPI:   playwright, pytest, pytest-playwright, axe-playwright-python, aiosmtpd,
#           icalendar (checks the .ics files the app writes), schemathesis and
#           openapi-spec-validator (scripts/api-conformance.sh)
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-deps: must run as root" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive

APT_PACKAGES=(postgresql chromium nginx wrk ca-certificates curl)

# Versions verified to install together on Python 3.11 (Debian 12 image).
PIP_PACKAGES=(
  "playwright==1.65.2"
  "pytest==9.0.3"
  "pytest-playwright==0.10.0"
  "axe-playwright-python==0.1.8"
  "aiosmtpd==1.4.6"
  "icalendar==7.3.2"
  "schemathesis==4.32.5"
  "openapi-spec-validator==0.9.0"
)

installed() {
  [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" = "install ok installed" ]
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-test-deps: apt packages to install: ${missing[*]}"
  apt-get update
  for pkg in "${missing[@]}"; do
    candidate="$(apt-cache policy "$pkg" | awk '/Candidate:/ {print $2}')"
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
      echo "install-test-deps: Debian has no package named '$pkg'" >&2
      exit 1
    fi
  done
  apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "install-test-deps: apt packages already installed: ${APT_PACKAGES[*]}"
fi

# The distribution's nginx package may start its own service on port 80; the
# benchmark runs its own nginx with its own config and never needs that one.

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -m pip --version >/dev/null 2>&1; then
  echo "install-test-deps: $PYTHON has no pip" >&2
  exit 1
fi
# pip checks the pins itself and does nothing when they are already satisfied.
"$PYTHON" -m pip install --disable-pip-version-check --root-user-action=ignore --no-input -q "${PIP_PACKAGES[@]}"

# Playwright must not download a browser: the tests launch Debian's Chromium.
if [ ! -x /usr/bin/chromium ]; then
  echo "install-test-deps: /usr/bin/chromium is missing" >&2
  exit 1
fi

echo "install-test-deps: done ($("$PYTHON" -m pip list --disable-pip-version-check 2>/dev/null \
  | awk 'tolower($1) ~ /^(playwright|pytest|pytest-playwright|axe-playwright-python|aiosmtpd)$/ {printf "%s %s; ", $1, $2}'))"
