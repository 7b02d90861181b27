#!/usr/bin/env bash
# A real Flink session cluster (StandaloneSessionClusterEntrypoint + TaskManagerRunner) assembled from
# Maven Central jars of the same Flink version as pom.xml, configured by flink-conf/.
#   scripts/flink-cluster.sh start|stop|status|start-taskmanager
# Dashboard and REST: http://127.0.0.1:8081. Logs: work/flink/log. Submit with scripts/flink run ...
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
  local version
  version=$(sed -n 's:.*<flink.version>\(.*\)</flink.version>.*:\1:p' pom.xml | head -n 1)
  if [ ! -f "$lib/.version" ] || [ "$(cat "$lib/.version")" != "$version" ]; then
    echo "Assembling Flink $version's lib/ from Maven Central into $lib ..."
    rm -rf "$lib"
    ./mvnw -B -q -Dstyle.color=never -f scripts/flink-dist/pom.xml -Dflink.version="$version" \
        dependency:copy-dependencies -DoutputDirectory="$lib"
    echo "$version" > "$lib/.version"
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
  for p in jobmanager taskmanager; do
    if alive $p; then echo "$p already running (pid $(cat "$run/$p.pid"))"; return 1; fi
  done
  if (exec 3<>/dev/tcp/127.0.0.1/8081) 2>/dev/null; then
    echo "port 8081 is in use: stop what listens there, or change rest.port in $conf/config.yaml"; return 1
  fi
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
  start-taskmanager)
    if alive taskmanager; then echo "taskmanager already running (pid $(cat "$run/taskmanager.pid"))"; exit 1; fi
    start_taskmanager
    echo "TaskManager started (pid $(cat "$run/taskmanager.pid"))" ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|start-taskmanager"; exit 2 ;;
esac
