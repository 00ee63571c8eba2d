#!/usr/bin/env bash
# Started by `make run`: a real application server (gunicorn) and the background worker.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${PORT:-8000}"
mkdir -p var
# A local trial runs over plain HTTP; a production install sets these (see README).
export DEBUG="${DEBUG:-0}"
export SECURE_SSL_REDIRECT="${SECURE_SSL_REDIRECT:-0}"
export SESSION_COOKIE_SECURE="${SESSION_COOKIE_SECURE:-0}"
export CSRF_COOKIE_SECURE="${CSRF_COOKIE_SECURE:-0}"
export SECURE_HSTS_SECONDS="${SECURE_HSTS_SECONDS:-0}"
export SITE_URL="${SITE_URL:-http://127.0.0.1:${PORT}}"
.venv/bin/python manage.py collectstatic --noinput -v0
# Without a Chinese TrueType font every PDF prints blank on devices lacking one, and a wrong
# PDF_FONT_PATH is silently passed over: say either loudly (checks govhall.W020, W021).
if ! FONT_CHECK=$(.venv/bin/python manage.py check --tag fonts --fail-level WARNING 2>&1); then
  printf '\n%s\n%s\n%s\n\n' "########## 警告 WARNING：PDF 文书的中文字体 ##########" \
    "$FONT_CHECK" "##################################################################" >&2
fi

.venv/bin/python manage.py run_worker &
WORKER_PID=$!

.venv/bin/python manage.py demo_info --port "$PORT" || true
# The access log names the path without its query string and without the referrer: ticket
# status tokens (?t=) and other query values never land in it (docs/security.md).
ACCESS_LOG_FORMAT='%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms "%(a)s"'
# --reuse-port: each worker listens on its own socket and the kernel spreads new
# connections over them; on one shared socket whichever worker woke first took them, and
# the keep-alive connections of consoles and boards stuck there (seen: 28 of 32 on one
# worker, its requests queued behind one another; docs/queueing.md "Benchmark").
# scripts/gunicorn.conf.py: the request-line limit (Django, not gunicorn, answers long URLs).
.venv/bin/gunicorn govhall.wsgi:application -c scripts/gunicorn.conf.py \
  --bind "0.0.0.0:${PORT}" --reuse-port \
  --workers "${WEB_WORKERS:-2}" --threads "${WEB_THREADS:-4}" --access-logfile - \
  --access-logformat "$ACCESS_LOG_FORMAT" --timeout 60 &
WEB_PID=$!
# Stopping either process (or Ctrl-C) stops both: no orphaned worker.
trap 'kill $WORKER_PID $WEB_PID 2>/dev/null || true' EXIT INT TERM
wait -n $WORKER_PID $WEB_PID
