#!/bin/sh
# Scale benchmark of docs/performance.md: one company of
# SWITCHBOARD_SCALE_ROWS employees (default 1,000,000) on SQLite and
# PostgreSQL (SWITCHBOARD_TEST_POSTGRES must be set), and GET /api/v1/auth/me
# against a static file of the same size served by nginx on a loopback port,
# all with the same Go load generator (4 keep-alive clients).
#
#   SWITCHBOARD_TEST_POSTGRES=postgres://… sh internal/web/api/bench/run.sh
#
# SWITCHBOARD_SCALE_BENCH picks the benchmarks (default Scale: both);
# ScaleLists measures the group, site, device and number lists instead.
#
# Needs nginx on PATH or in /usr/sbin (Debian: apt-get install -y nginx).
set -eu
cd "$(dirname "$0")/../../../.."
rows=${SWITCHBOARD_SCALE_ROWS:-1000000}
requests=${SWITCHBOARD_SCALE_REQUESTS:-2000}
port=${SWITCHBOARD_SCALE_NGINX_PORT:-28731}
tmp=$(mktemp -d)
nginx=$(command -v nginx || echo /usr/sbin/nginx)
# auth/me answers about 200 bytes of JSON; the static file is as large.
head -c 200 /dev/zero | tr '\0' 'x' > "$tmp/me.json"
cat > "$tmp/nginx.conf" <<CONF
worker_processes auto;
pid $tmp/nginx.pid;
error_log $tmp/error.log;
daemon on;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $tmp;
    proxy_temp_path $tmp;
    fastcgi_temp_path $tmp;
    uwsgi_temp_path $tmp;
    scgi_temp_path $tmp;
    server {
        listen 127.0.0.1:$port;
        root $tmp;
        default_type application/json;
    }
}
CONF
"$nginx" -c "$tmp/nginx.conf" -p "$tmp"
trap 'kill "$(cat "$tmp/nginx.pid")" 2>/dev/null; rm -rf "$tmp"' EXIT
SWITCHBOARD_SCALE_ROWS=$rows SWITCHBOARD_SCALE_NGINX=http://127.0.0.1:$port/me.json \
    go test ./internal/web/api/bench/ -run '^$' -bench "${SWITCHBOARD_SCALE_BENCH:-Scale}" -benchtime="${requests}x" -timeout 30m -v
