#!/bin/sh
# $ALTIBASE_HOME/bin/aku: the aku CLI (bundled into /opt/aku/dist/bundle) on the image's Node runtime.
# Installed by docker/Dockerfile; aku must live in $ALTIBASE_HOME/bin next to the server's tools.
exec "${AKU_NODE:-/usr/local/bin/node}" /opt/aku/bin/aku "$@"
