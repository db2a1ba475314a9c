#!/usr/bin/env bash
# ./run.sh "<task>" [flags]: creates .venv if missing, installs, and runs the agent.
# Other subcommands pass through: ./run.sh resume --thread ID
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXTRAS=local,memory "$here/scripts/install.sh" >&2
case "${1:-}" in
  run|resume|threads|history|replay|fork|diff|checkout|ingest|eval|serve|serve-local|ui|--help)
    exec "$here/.venv/bin/autogpt" "$@" ;;
  *) exec "$here/.venv/bin/autogpt" run "$@" ;;
esac
