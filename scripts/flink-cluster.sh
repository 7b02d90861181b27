#!/usr/bin/env bash
# A real Flink cluster assembled from Maven Central jars of the same Flink version as pom.xml,
# configured by flink-conf/: a session cluster (StandaloneSessionClusterEntrypoint + TaskManagerRunner)
# that jobs are submitted to with scripts/flink run ..., or an application cluster
# (StandaloneApplicationClusterEntryPoint) that runs Telemetra's jar from its usrlib/.
#   scripts/flink-cluster.sh start | stop | status | start-taskmanager
#   scripts/flink-cluster.sh start-application JAR [--from-savepoint PATH] [-- JOB OPTIONS...]
#   scripts/flink-cluster.sh start-jobmanager   (an application JobManager again, after it died)
# Dashboard and REST: http://127.0.0.1:8081. Logs: work/flink/log.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
home=${FLINK_CLUSTER_HOME:-$root/work/flink}
conf=${FLINK_CONF_DIR:-$root/flink-conf}
lib=$home/lib
run=$home/run
log=$home/log
mkdir -p "$run" "$log"

# Flink's usual JVM options on Java 17 (flink-dist sets these in env.java.default-opts.all)
JAVA17_OPTS="--add-exports=java.base/sun.net.util=ALL-UNNAMED --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
 --add-exports=jdk.compiler/com.sun.tools.javac.api=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED
 --add-exports=jdk.compiler/com.sun.tools.javac.parser=ALL-UNNAMED --add-exports=jdk.compiler/com.sun.tools.javac.tree=ALL-UNNAMED
 --add-exports=jdk.compiler/com.sun.tools.javac.util=ALL-UNNAMED --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
 --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED
 --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
 --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
 --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED"

assemble() {
  local version stamp
  version=$(sed -n 's:.*<flink.version>\(.*\)</flink.version>.*:\1:p' pom.xml | head -n 1)
  # assembled again when the version or the list of jars changes
  stamp="$version $(cksum < scripts/flink-dist/pom.xml)"
  if [ ! -f "$lib/.version" ] || [ "$(cat "$lib/.version")" != "$stamp" ]; then
    echo "Assembling Flink $version's lib/ from Maven Central into $lib ..."
    rm -rf "$lib"
    ./mvnw -B -q -Dstyle.color=never -f scripts/flink-dist/pom.xml -Dflink.version="$version" \
        dependency:copy-dependencies -DoutputDirectory="$lib"
    echo "$stamp" > "$lib/.version"
  fi
}

# application mode: one job with a fixed id, so its retained checkpoints are found after a restart
app_job_id=${TELEMETRA_JOB_ID:-7e1e3e7a0000000000000000000000a1}
usrlib=$home/usrlib

# the job's checkpoint directory: its --checkpoint.dir option, else TELEMETRA_CHECKPOINT_DIR, else
# execution.checkpointing.dir of config.yaml
checkpoint_dir() {
  local given
  given=$(grep -A1 -x -- '--checkpoint.dir' "$run/application.args" 2>/dev/null | tail -n 1 || true)
  echo "${given:-${TELEMETRA_CHECKPOINT_DIR:-$(sed -n 's/^ *dir: *//p' "$conf/config.yaml" | head -n 1)}}"
}

# neither process of a cluster running here, and the dashboard port free
nothing_running() {
  for p in jobmanager taskmanager; do
    if alive $p; then echo "$p already running (pid $(cat "$run/$p.pid"))"; return 1; fi
  done
  if (exec 3<>/dev/tcp/127.0.0.1/8081) 2>/dev/null; then
    echo "port 8081 is in use: stop what listens there, or change rest.port in $conf/config.yaml"; return 1
  fi
}

alive() { [ -f "$run/$1.pid" ] && kill -0 "$(cat "$run/$1.pid")" 2>/dev/null; }

# Starts a TaskManager; also on its own, to replace one that died (the JobManager keeps the jobs).
start_taskmanager() {
  # the TaskManager's memory options, computed from config.yaml as flink-dist's scripts do
  local params jvm dyn
  params=$(java -cp "$lib/*" org.apache.flink.runtime.util.bash.BashJavaUtils GET_TM_RESOURCE_PARAMS \
      --configDir "$conf" 2>/dev/null | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://')
  jvm=$(echo "$params" | sed -n 1p)
  dyn=$(echo "$params" | sed -n 2p)
  # shellcheck disable=SC2086
  nohup java $jvm $JAVA17_OPTS -Dlog.file="$log/taskmanager.log" \
      -Dlog4j.configurationFile="$conf/log4j.properties" -cp "$lib/*" \
      org.apache.flink.runtime.taskexecutor.TaskManagerRunner --configDir "$conf" $dyn \
      > "$log/taskmanager.out" 2>&1 &
  echo $! > "$run/taskmanager.pid"

}

start() {
  assemble
  nothing_running || return 1
  # shellcheck disable=SC2086
  nohup java -Xmx768m $JAVA17_OPTS -Dlog.file="$log/jobmanager.log" \
      -Dlog4j.configurationFile="$conf/log4j.properties" -cp "$lib/*" \
      org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint --configDir "$conf" \
      > "$log/jobmanager.out" 2>&1 &
  echo $! > "$run/jobmanager.pid"

  start_taskmanager

  for _ in $(seq 1 60); do
    if curl -fs http://127.0.0.1:8081/overview 2>/dev/null | grep -q '"taskmanagers":1'; then
      echo "Flink session cluster up: dashboard http://127.0.0.1:8081 (JobManager pid $(cat "$run/jobmanager.pid"), TaskManager pid $(cat "$run/taskmanager.pid"))"
      return 0
    fi
    sleep 1
  done
  echo "the cluster did not come up within 60 s; see $log"; stop; return 1
}

# The application cluster's JobManager, which runs Telemetra's main() itself. Restarted without HA it
# resumes the job from the newest retained checkpoint (scripts/latest-checkpoint.sh) unless given a
# savepoint; the job options are those start-application saved.
start_application_jobmanager() {
  local from=${1:-} restore=() args=()
  mapfile -t args < "$run/application.args"
  if [ -z "$from" ]; then
    from=$(scripts/latest-checkpoint.sh "$(checkpoint_dir)" "$app_job_id")
    [ -n "$from" ] && echo "resuming job $app_job_id from its latest retained checkpoint $from"
  fi
  [ -n "$from" ] && restore=(--fromSavepoint "$from")
  # shellcheck disable=SC2086
  FLINK_LIB_DIR="$lib" nohup java -Xmx768m $JAVA17_OPTS -Dlog.file="$log/jobmanager.log" \
      -Dlog4j.configurationFile="$conf/log4j.properties" -cp "$lib/*" \
      org.apache.flink.container.entrypoint.StandaloneApplicationClusterEntryPoint --configDir "$conf" \
      --job-classname io.telemetra.TelemetraJob --job-id "$app_job_id" "${restore[@]}" "${args[@]}" \
      > "$log/jobmanager.out" 2>&1 &
  echo $! > "$run/jobmanager.pid"
}

start_application() {
  local jar=${1:?usage: start-application JAR [--from-savepoint PATH] [-- JOB OPTIONS...]} from=""
  shift
  if [ "${1:-}" = "--from-savepoint" ]; then from=$2; shift 2; fi
  [ "${1:-}" = "--" ] && shift
  assemble
  nothing_running || return 1
  # the image layout of application mode: the job jar in usrlib/ beside lib/
  rm -rf "$usrlib" && mkdir -p "$usrlib" && cp "$jar" "$usrlib/telemetra.jar"
  printf '%s\n' "$@" > "$run/application.args"
  start_application_jobmanager "$from"
  start_taskmanager
  for _ in $(seq 1 90); do
    if curl -fs http://127.0.0.1:8081/jobs/overview 2>/dev/null | grep -q '"state":"RUNNING"'; then
      echo "Flink application cluster up: job $app_job_id RUNNING, dashboard http://127.0.0.1:8081 (JobManager pid $(cat "$run/jobmanager.pid"), TaskManager pid $(cat "$run/taskmanager.pid"))"
      return 0
    fi
    alive jobmanager || break
    sleep 1
  done
  echo "the application did not reach RUNNING; see $log/jobmanager.log"; stop; return 1
}

stop() {
  for p in taskmanager jobmanager; do
    if alive $p; then
      kill "$(cat "$run/$p.pid")"
      for _ in $(seq 1 30); do alive $p || break; sleep 1; done
      alive $p && kill -9 "$(cat "$run/$p.pid")"
      echo "stopped $p"
    fi
    rm -f "$run/$p.pid"
  done
}

status() {
  for p in jobmanager taskmanager; do
    if alive $p; then echo "$p running (pid $(cat "$run/$p.pid"))"; else echo "$p stopped"; fi
  done
  curl -fs http://127.0.0.1:8081/overview 2>/dev/null && echo || true
}

case "${1:-}" in
  start) start ;;
  start-application) shift; start_application "$@" ;;
  start-jobmanager)
    if alive jobmanager; then echo "jobmanager already running (pid $(cat "$run/jobmanager.pid"))"; exit 1; fi
    [ -f "$run/application.args" ] || { echo "no application was started here (start-application first)"; exit 1; }
    start_application_jobmanager ""
    echo "JobManager started (pid $(cat "$run/jobmanager.pid"))" ;;
  start-taskmanager)
    if alive taskmanager; then echo "taskmanager already running (pid $(cat "$run/taskmanager.pid"))"; exit 1; fi
    start_taskmanager
    echo "TaskManager started (pid $(cat "$run/taskmanager.pid"))" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|start-taskmanager|start-application JAR [--from-savepoint PATH] [-- OPTIONS]|start-jobmanager"; exit 2 ;;
esac
