# Telemetra's image for application mode: the official Flink image with the job jar in usrlib/, where
# the image's "standalone-job" command (StandaloneApplicationClusterEntryPoint) finds it.
#   ./mvnw -B -q package -DskipTests && docker build -t telemetra:0.2.0 .
# The Flink version is the pom's (DockerComposeTest checks it).
FROM flink:2.2.1-java17

COPY --chown=flink:flink target/telemetra.jar /opt/flink/usrlib/telemetra.jar
# JSON logs (TELEMETRA_LOG_FORMAT=json, flink-conf/log4j-console.properties): the layout of the
# image's log4j version
ADD --chown=flink:flink https://repo1.maven.org/maven2/org/apache/logging/log4j/log4j-layout-template-json/2.24.3/log4j-layout-template-json-2.24.3.jar /opt/flink/lib/
COPY --chown=flink:flink scripts/latest-checkpoint.sh scripts/docker-entrypoint.sh /opt/telemetra/
# Checkpoints and savepoints go to /tmp/telemetra (flink-conf/config.yaml). A named volume mounted
# there starts as a copy of this directory, owner included, so the flink user (uid 9999) can write
# to it; without it Docker would create the mount point owned by root and no checkpoint would ever
# complete (nor would the exactly-once sink commit).
RUN mkdir -p /tmp/telemetra && chown flink:flink /tmp/telemetra

ENTRYPOINT ["/opt/telemetra/docker-entrypoint.sh"]
