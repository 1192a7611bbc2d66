#!/bin/sh
# Checks the Kubernetes manifests against the Kubernetes API schemas, with no cluster: kubernetes-validate (PyPI)
# carries the schemas of every Kubernetes version. When it is missing it is installed into a private directory
# under ${XDG_CACHE_HOME:-$HOME/.cache}/tdf (the --install step .ci/run takes; the test only validates).
# Usage: compose/kubernetes/validate.sh [--install]   (exit 0 when every manifest is valid)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
kubernetes_version=1.31
tools=${XDG_CACHE_HOME:-$HOME/.cache}/tdf/kubernetes-validate
validator_version=1.37.0

if [ "${1:-}" = "--install" ]; then
    if [ ! -x "$tools/bin/kubernetes-validate" ]; then
        python3 -m pip install --quiet --target "$tools/lib" "kubernetes-validate==$validator_version"
        mkdir -p "$tools/bin"
        printf '#!/bin/sh\nPYTHONPATH="%s/lib${PYTHONPATH:+:$PYTHONPATH}" exec python3 -m kubernetes_validate "$@"\n' \
            "$tools" >"$tools/bin/kubernetes-validate"
        chmod 0755 "$tools/bin/kubernetes-validate"
    fi
    exit 0
fi
if [ ! -x "$tools/bin/kubernetes-validate" ]; then
    echo "kubernetes-validate is not installed: run $0 --install" >&2
    exit 3
fi
status=0
for manifest in "$here"/*.yaml; do
    if output=$("$tools/bin/kubernetes-validate" --strict --kubernetes-version "$kubernetes_version" "$manifest" 2>&1); then
        echo "$(basename "$manifest"): valid for Kubernetes $kubernetes_version"
    else
        echo "$(basename "$manifest"): INVALID" >&2
        echo "$output" >&2
        status=1
    fi
done
exit "$status"
