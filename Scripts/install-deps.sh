#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, if any are missing.
# Idempotent and quiet when everything is present; needs root (or sudo) only when installing.
set -euo pipefail

# libre2-dev: TensorFlow's regex ops run on RE2 (Sources/CRE2).
# sqlite3: the shell docs/catalog.md shows, and tests craft damaged catalogs with it.
# libarchive-dev: oci-archive: tar files. docker-registry, skopeo, apache2-utils (htpasswd),
# openssl: the OCI tests run a real registry, with basic auth, TLS and (python3) a token server
# and a misbehaving proxy of their own. curl, wrk, gzip:
# Scripts/test-serve.sh drives `registry serve` with them.
# chromium: the web catalog's browser test.
packages=(zlib1g-dev libsqlite3-dev libopenblas-dev libre2-dev sqlite3 libarchive-dev
  docker-registry skopeo apache2-utils openssl python3 curl wrk gzip chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if ! command -v swift >/dev/null 2>&1; then
  echo "install-deps: swift is not on PATH; install the Swift 6 toolchain first" >&2
  exit 1
fi
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "install-deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
