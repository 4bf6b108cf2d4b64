#!/usr/bin/env bash
# make deps: install what is missing (Debian packages, requirements.txt) and locate Odoo 18.
# A fast no-op when everything is present.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
ensure_deps
ensure_dock_agent
log "dependencies ok; Odoo 18 at $ODOO_SRC"
