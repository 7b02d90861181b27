#!/usr/bin/env bash
# Entrypoint of Telemetra's image (Dockerfile): the Flink image's own entrypoint, with Telemetra's
# configuration and application-mode defaults.
#   standalone-job [JOB OPTIONS...]   the JobManager of an application cluster running Telemetra
#   taskmanager | jobmanager | ...     as in the Flink image (jobmanager: a session cluster)
# For standalone-job it adds the job class and a fixed job id and, unless a savepoint is given with
# --fromSavepoint, resumes from the job's newest retained checkpoint: a JobManager restarted without
# high availability would otherwise start the job from scratch (docs/deployment.md).
set -euo pipefail
# flink-conf/ mounted at /telemetra/flink-conf replaces the image's conf (copied: the image's own
# entrypoint rewrites conf/config.yaml, so a read-only mount would not do)
if [ -d /telemetra/flink-conf ]; then
  cp /telemetra/flink-conf/* /opt/flink/conf/
fi
if [ "${1:-}" != "standalone-job" ]; then
  exec /docker-entrypoint.sh "$@"
fi
shift
job_id=${TELEMETRA_JOB_ID:-7e1e3e7a0000000000000000000000a1}
extra=(--job-classname io.telemetra.TelemetraJob --job-id "$job_id")
if [[ " $* " != *" --fromSavepoint "* ]]; then
  # the job's --checkpoint.dir, else execution.checkpointing.dir of the configuration
  dir=""
  prev=""
  for a in "$@"; do
    [ "$prev" = "--checkpoint.dir" ] && dir=$a
    prev=$a
  done
  dir=${dir:-$(sed -n 's/^ *dir: *//p' /opt/flink/conf/config.yaml | head -n 1)}
  latest=$(/opt/telemetra/latest-checkpoint.sh "$dir" "$job_id")
  if [ -n "$latest" ]; then
    echo "resuming job $job_id from its latest retained checkpoint $latest"
    extra+=(--fromSavepoint "$latest")
  fi
fi
exec /docker-entrypoint.sh standalone-job "${extra[@]}" "$@"
