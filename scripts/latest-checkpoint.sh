#!/usr/bin/env bash
# Prints the newest complete retained checkpoint of a job (a chk-N directory holding _metadata) under
# a local checkpoint directory, or nothing when there is none.
#   scripts/latest-checkpoint.sh file:///tmp/telemetra/checkpoints JOB_ID
# Without high availability, a restarted application-mode JobManager would start its job from
# scratch; flink-cluster.sh and the Docker entrypoint pass this path as --fromSavepoint instead, so the
# job resumes where its last checkpoint left it (and the exactly-once sink resolves that checkpoint's
# prepared transactions). A chk-N without _metadata was still being written and is skipped.
set -euo pipefail
dir=${1#file://}
job=$2
for c in $(ls -d "$dir/$job"/chk-* 2>/dev/null | awk -F'chk-' '{print $NF" "$0}' | sort -n -r | cut -d' ' -f2-); do
  if [ -f "$c/_metadata" ]; then
    echo "$c"
    exit 0
  fi
done
