#!/bin/sh
# Build a throw-away store from the bundled examples and show the due list.
# Never touches your own store: it uses a temporary --db.
set -e
here=$(dirname "$0")
db=$(mktemp -d)/demo.db
retain --db "$db" --today 2026-12-01 import customers "$here/customers.csv" >/dev/null
retain --db "$db" --today 2026-12-01 import loans "$here/loans.csv" >/dev/null
RETAIN_TTY=${RETAIN_TTY:-1} retain --db "$db" --today 2026-12-01 due --days 30
echo "(demo store: $db)" >&2
