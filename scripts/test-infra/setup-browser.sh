#!/usr/bin/env bash
# Installs Debian's Chromium for the dashboard's browser tests (test/dashboard/browser/), which
# drive it with playwright-core. Test infrastructure only: the product never needs a browser, and
# `npx playwright install` (a download from Microsoft's CDN) is never used. Idempotent: when
# /usr/bin/chromium runs, it only prints its version.
# Exit 0: ready (prints the browser's path on stdout). Exit 3: Chromium is absent and this user
# cannot install it (not root, or no apt-get); the browser tests then skip with that reason.
# Exit 1: the install failed.
set -euo pipefail

browser=/usr/bin/chromium

if [[ -x "$browser" ]] && "$browser" --headless --no-sandbox --version >/dev/null 2>&1; then
  echo "setup-browser: $("$browser" --version 2>/dev/null)" >&2
  echo "$browser"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "setup-browser: $browser is missing and there is no apt-get here; install Chromium by hand" >&2
  exit 3
fi
if [[ "$(id -u)" != "0" ]]; then
  echo "setup-browser: $browser is missing; run as root (or: sudo apt-get install -y chromium)" >&2
  exit 3
fi

echo "setup-browser: installing Debian's chromium package" >&2
export DEBIAN_FRONTEND=noninteractive
if ! apt-get install -y --no-install-recommends chromium >&2; then
  # A fresh container may have no package lists yet.
  apt-get update >&2
  apt-get install -y --no-install-recommends chromium >&2
fi
"$browser" --headless --no-sandbox --version >&2
echo "$browser"
