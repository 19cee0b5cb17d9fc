#!/usr/bin/env bash
# The main job on the embedded default. Today: build aku and show what it reads from the manual's
# sample aku.conf, as pod 1 of a four-pod StatefulSet would see it.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci
npm run build --silent
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
mkdir -p "$home/conf"
cp test/fixtures/conf/sample-one-group.conf "$home/conf/aku.conf"
echo "\$ AKU_POD_NAME=altibase-sts-1 aku -i"
ALTIBASE_HOME="$home" AKU_POD_NAME=altibase-sts-1 bin/aku -i
