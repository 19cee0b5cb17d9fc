# Exit codes of the container's scripts (entrypoint, SQL client, chart scripts), in one place.
# Sourced. aku's own codes (src/cli/exit-codes.ts) are 0 success, 1 failure, 2 usage; these agree.
# shellcheck shell=bash disable=SC2034 # the variables are read by the scripts that source this file

EXIT_OK=0
# A step failed; the state left behind lets the next container start resume (the kubelet restarts it).
EXIT_FAILURE=1
# The configuration is wrong: retrying cannot help (aku's exit 2 is passed on as it is).
EXIT_USAGE=2
# The SQL client or the server did not answer within its bound.
EXIT_TIMEOUT=124
