#!/usr/bin/env bash
# make lint, and the first stage of make test: OCA's linters (the hooks of .pre-commit-config.yaml:
# pylint-odoo with OCA's mandatory checks, oca-checks-odoo-module, oca-checks-po) on every file git
# tracks, here or in the git work tree given as $1. Exits 1 on any finding.
# pre-commit installs each hook's pinned tools from PyPI once, into its cache (~/.cache/pre-commit).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

ROOT="${1:-$REPO_ROOT}"
if ! "$PYTHON" -m pre_commit --version >/dev/null 2>&1; then
    log "installing pre-commit (the version requirements.txt pins)"
    "$PYTHON" -m pip install -q "$(grep -E '^pre-commit==' "$REPO_ROOT/requirements.txt")"
fi
cd "$ROOT"
"$PYTHON" -m pre_commit run --all-files --color=never
