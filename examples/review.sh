#!/bin/sh
# The monthly review of the bundled examples (retain report): a throw-away
# store, the loans file imported as of 2026-11-16 and again as of 2026-12-01
# (two snapshots for the PAR trend), three contacts logged in November, and
# the page for 2026-11 written to $1 (default review.html). Never touches
# your own store: it uses a temporary --db.
set -e
here=$(dirname "$0")
out=${1:-review.html}
db=$(mktemp -d)/demo.db
r() { retain --db "$db" --today 2026-12-01 "$@"; }
r import customers "$here/customers.csv" >/dev/null
r import loans "$here/loans.csv" --as-of 2026-11-16 >/dev/null
r import loans "$here/loans.csv" >/dev/null
r log C0005 --channel call --outcome renewing --at "2026-11-20 10:00" >/dev/null 2>&1
r log C0009 --channel visit --outcome reached --at "2026-11-24 15:30" >/dev/null 2>&1
r log C0011 --channel call --outcome no_answer --at "2026-11-27 09:10" >/dev/null 2>&1
r report --month 2026-11 --output "$out" --force
echo "(demo store: $db)" >&2
