#!/bin/sh
# Tomorrow's reminders, for a cron job (see ./crontab):
#
#   $OUT_DIR/sms-YYYY-MM-DD.csv   customer SMS for tomorrow (full phones), only
#                                 reminders never exported to customers before
#                                 (--new-only), so a second run sends nothing twice
#                                 and never overwrites a file the gateway may not
#                                 have picked up yet (it writes sms-DATE.2.csv …).
#                                 retain's customer rules apply (README, "Cron"):
#                                 at most one text per customer a day, only to a
#                                 usable phone, not the same reason within 7 days,
#                                 none against a promise, and only on working days —
#                                 Friday's file carries the weekend's, the file for
#                                 a Saturday or a holiday is usually empty;
#   $OUT_DIR/officer-week.ics     the officers' calendar for the coming week, replaced
#                                 each run (--force; stable UIDs: a subscribed calendar
#                                 updates in place).
#
# Environment: RETAIN_BIN (default: retain on PATH), RETAIN_DB (the store; else
# retain's default), OUT_DIR (default ~/retain-out, created mode 0700), SEND_DAY
# (default tomorrow: the day the texts are for),
# RETAIN_LANG (default zh: the language of the log lines and the officers'
# calendar; the customers' SMS language is the setting export.customer_lang).
# Exits non-zero as soon as retain fails; logs with a timestamp on stderr.
# Exit 1 with "the loan data is as of …" means the store is stale: import the
# core system's export (retain import loans FILE), then run this again.
set -eu

RETAIN_BIN=${RETAIN_BIN:-retain}
OUT_DIR=${OUT_DIR:-"$HOME/retain-out"}
RETAIN_LANG=${RETAIN_LANG:-zh}
export RETAIN_LANG
if [ -n "${RETAIN_DB:-}" ]; then
    export RETAIN_DB
fi

log() {
    printf '%s morning-reminders: %s\n' "$(date '+%Y-%m-%dT%H:%M:%S%z')" "$*" >&2
}

# Log each line of a text (retain's summary, and what the SMS rules left out).
log_lines() {
    printf '%s\n' "$1" | while IFS= read -r line; do
        log "$line"
    done
}

# Run retain; log what it said, or its error and stop with its exit code.
run() {
    if said=$("$RETAIN_BIN" "$@" 2>&1); then
        log_lines "${said:-done}"
    else
        status=$?
        log_lines "FAILED (exit $status): retain $*: $said"
        exit "$status"
    fi
}

# retain refuses a missing store too; checking first gives a clearer log line
# (a branch store, postgresql://…, is the server's to check).
case "${RETAIN_DB:-}" in
    postgresql://* | postgres://*) ;;
    *)
        if [ -n "${RETAIN_DB:-}" ] && [ ! -f "$RETAIN_DB" ]; then
            log "FAILED: no store at RETAIN_DB=$RETAIN_DB"
            exit 1
        fi
        ;;
esac

# The day to send for: SEND_DAY (YYYY-MM-DD: to catch up a missed day, or to
# rehearse a week), else tomorrow (GNU date, BSD date, else today). The file
# name and retain's --today are the same day.
day=${SEND_DAY:-$(date -d tomorrow +%F 2>/dev/null || date -v+1d +%F 2>/dev/null || date +%F)}

if [ ! -d "$OUT_DIR" ]; then
    (umask 077 && mkdir -p "$OUT_DIR")
    log "created $OUT_DIR (mode 0700)"
fi

sms="$OUT_DIR/sms-$day.csv"
n=1
while [ -e "$sms" ]; do
    n=$((n + 1))
    sms="$OUT_DIR/sms-$day.$n.csv"
done

log "start: store ${RETAIN_DB:-(default)}, output $OUT_DIR"
run --today "$day" export reminders --days 0 --new-only --audience customer --output "$sms"
run --today "$day" export reminders --days 6 --audience officer --force --output "$OUT_DIR/officer-week.ics"
log "done"
