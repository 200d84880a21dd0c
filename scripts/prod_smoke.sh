#!/usr/bin/env bash
# The documented production path, end to end on loopback: settings from the environment,
# migrate, collectstatic (whitenoise manifest), gunicorn, a login page and its CSS served.
set -euo pipefail
cd "$(dirname "$0")/.."
var="$(mktemp -d)"
port="${SHEQU_SMOKE_PORT:-8765}"
export SHEQU_VAR_DIR="$var" SHEQU_ALLOWED_HOSTS=127.0.0.1 SHEQU_SECURE_SSL_REDIRECT=0
export SHEQU_SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
export SHEQU_FIELD_KEY="$(.venv/bin/python -c 'import base64, secrets; print(base64.b64encode(secrets.token_bytes(32)).decode())')"
.venv/bin/shequ migrate --noinput -v0
.venv/bin/shequ collectstatic --noinput -v0
.venv/bin/gunicorn shequ.wsgi -w 2 -b "127.0.0.1:$port" --pid "$var/gunicorn.pid" --daemon --error-logfile "$var/gunicorn.log"
trap 'kill "$(cat "$var/gunicorn.pid")" 2>/dev/null || true; rm -rf "$var"' EXIT
for _ in $(seq 1 50); do curl -sf -o /dev/null "http://127.0.0.1:$port/health/" && break; sleep 0.2; done
page="$(curl -sf "http://127.0.0.1:$port/login/")"
css="$(printf '%s' "$page" | grep -o '/static/vendor/tabler/tabler\.min\.[0-9a-f]*\.css' | head -1)"
[ -n "$css" ] || { echo "login page does not link the hashed Tabler CSS"; exit 1; }
curl -sf -o /dev/null "http://127.0.0.1:$port$css"
echo "production smoke: gunicorn served /login/ and $css"
