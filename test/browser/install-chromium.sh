#!/usr/bin/env bash
# Installs Debian's Chromium for the wallboard browser test (test/browser/wallboard.test.ts),
# unless one is already there. Call it from .ci/run before the tests: in CI (CI set) the
# browser test fails rather than skips when no Chromium is found.
set -euo pipefail
if [[ -n "${CHROMIUM_PATH:-}" && -x "${CHROMIUM_PATH}" ]] || command -v chromium >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# fonts-dejavu-core: the condensed face the agent tiles prefer, and glyphs for ▲▼⚠✖✆.
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
command -v chromium
