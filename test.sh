#!/usr/bin/env bash
# ./test.sh [pytest args]: installs what the tests need into .venv and runs them.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
EXTRAS=local,memory,test,compare,notebooks "$here/scripts/install.sh"
cd "$here"
exec "$here/.venv/bin/python" -m pytest "$@"
