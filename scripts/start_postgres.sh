#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on 127.0.0.1 and print its DSN on standard output.
#
# Uses the server binaries of Debian's `postgresql` package (/usr/lib/postgresql/*/bin);
# installs nothing. The cluster lives in a new temporary folder, owned by the `postgres`
# user when this runs as root (the server refuses to run as root). Messages go to
# standard error; the only line on standard output is the DSN, so that
#
#     export CONSENTKIT_TEST_POSTGRES_DSN="$(scripts/start_postgres.sh)"
#
# works. Stop the server and remove its folder with the command printed at the end
# (`<folder>/stop.sh`).
set -euo pipefail

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
if [[ -z "${bindir}" || ! -x "${bindir}/initdb" ]]; then
    echo "start_postgres: no PostgreSQL server binaries under /usr/lib/postgresql/*/bin" >&2
    exit 1
fi

base="$(mktemp -d /tmp/consentkit-pg.XXXXXX)"
chmod 755 "${base}"
as_server_user=()
if [[ "$(id -u)" == "0" ]]; then
    chown postgres:postgres "${base}"
    as_server_user=(runuser -u postgres --)
fi

# A free port: a random one that nothing answers on.
port=""
for _ in $(seq 1 50); do
    candidate=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/${candidate}") 2>/dev/null; then
        port="${candidate}"
        break
    fi
done
if [[ -z "${port}" ]]; then
    echo "start_postgres: found no free port on 127.0.0.1" >&2
    exit 1
fi
database="${CONSENTKIT_PG_DATABASE:-consentkit_test}"

"${as_server_user[@]}" "${bindir}/initdb" -D "${base}/data" -U postgres --auth=trust \
    -E UTF8 --locale=C.UTF-8 >"${base}/initdb.log" 2>&1 || {
    cat "${base}/initdb.log" >&2
    exit 1
}
"${as_server_user[@]}" "${bindir}/pg_ctl" -D "${base}/data" -l "${base}/server.log" -w \
    -o "-p ${port} -c listen_addresses=127.0.0.1 -k ${base} -c max_connections=200" \
    start >&2 || {
    cat "${base}/server.log" >&2
    exit 1
}
"${bindir}/createdb" -h 127.0.0.1 -p "${port}" -U postgres "${database}" >&2

cat >"${base}/stop.sh" <<STOP
#!/usr/bin/env bash
${as_server_user[*]} ${bindir}/pg_ctl -D ${base}/data -m fast stop >&2
rm -rf ${base}
STOP
chmod 755 "${base}/stop.sh"

echo "start_postgres: server in ${base} on 127.0.0.1:${port}; stop with ${base}/stop.sh" >&2
echo "postgresql://postgres@127.0.0.1:${port}/${database}"
