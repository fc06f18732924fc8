#!/usr/bin/env bash
# Builds smesec, prepares a database with the demo data and serves the site.
#
#   scripts/run.sh
#
# SMESEC_DB      the database (default smesec.db in the repository folder)
# SMESEC_LISTEN  address and port to listen on (default 0.0.0.0:8080, every interface)
#
# The demo accounts (operator, reviewer, provider, analyst) share the password
# "demo-password": for trying the site out, never for a real installation.
set -euo pipefail
cd "$(dirname "$0")/.."

db=${SMESEC_DB:-smesec.db}
listen=${SMESEC_LISTEN:-0.0.0.0:8080}

bash scripts/deps.sh run
bash scripts/build.sh release
bin=$(find build/release -name smesec -type f -perm -u+x | head -n 1)
[ -n "$bin" ] || {
    echo "run: the build made no smesec program" >&2
    exit 1
}

"$bin" migrate --db "$db"
"$bin" seed --demo --db "$db"

port=${listen##*:}
echo "smesec: open http://localhost:$port/ (Ctrl-C stops the server)"
exec "$bin" serve --db "$db" --listen "$listen"
