#!/usr/bin/env bash
# Schemathesis over the whole OpenAPI document (coverage and fuzzing phases) against a
# real server on a fresh SQLite database with the demo data: no 5xx, every error is
# problem+json.
# /ready is left out: its 503 (no worker heartbeat here) is what it is for.
# Used by .ci/run; FUZZ_SECONDS (default 120) is the time budget, FUZZ_PORT the port.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${FUZZ_PORT:-8601}"
WORK="$(mktemp -d)"
export GOVHALL_DATA_DIR="$WORK" DATABASE_URL="sqlite:///$WORK/fuzz.sqlite3"
export DEBUG=0 SECURE_SSL_REDIRECT=0 SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0
export SECURE_HSTS_SECONDS=0 SMS_BACKEND=database RATE_LIMIT_ENABLED=0 LOG_LEVEL=WARNING
export STATIC_ROOT="$WORK/static"
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py collectstatic --noinput -v0
.venv/bin/python manage.py load_demo >/dev/null
TOKEN="$(.venv/bin/python manage.py create_api_token manager1 --label fuzz)"
.venv/bin/gunicorn govhall.wsgi:application -c scripts/gunicorn.conf.py \
  --bind "127.0.0.1:${PORT}" --workers 2 --threads 2 --error-logfile "$WORK/server.log" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
# A request line past gunicorn's default 4094 bytes reaches Django: problem+json, not an
# HTML 414 (scripts/gunicorn.conf.py).
LONG="http://127.0.0.1:${PORT}/api/v1/$(printf 'x%.0s' $(seq 1 6000))"
GOT="$(curl -s -o /dev/null --retry 30 --retry-connrefused --retry-delay 1 \
  -w '%{http_code} %{content_type}' "$LONG")"
[ "$GOT" = "404 application/problem+json" ] || { echo "long request line: $GOT"; exit 1; }
echo "long request line (6 KB): $GOT"
SCHEMATHESIS_HOOKS=scripts.schemathesis_hooks .venv/bin/st --config-file scripts/schemathesis.toml run \
  "http://127.0.0.1:${PORT}/api/v1/openapi.json" --wait-for-schema 30 \
  --phases coverage,fuzzing --max-time "${FUZZ_SECONDS:-120}" \
  --checks not_a_server_error,errors_are_problem_json \
  -H "Authorization: Bearer ${TOKEN}" --seed "${FUZZ_SEED:-1485}" \
  --exclude-path /api/v1/ready --request-timeout 20 --no-color "$@" || { tail -50 "$WORK/server.log"; exit 1; }
