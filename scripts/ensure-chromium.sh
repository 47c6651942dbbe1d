#!/usr/bin/env bash
# The browser tests drive Debian's Chromium through playwright-core (which downloads no browser of
# its own). Install it when it is missing; the machines this project runs on are Debian, as root.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "Chromium is missing: install Debian's chromium package (apt-get install -y chromium) to run the browser tests." >&2
  exit 1
fi
echo "Installing Chromium from Debian's packages for the browser tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq chromium >/dev/null
chromium --version
