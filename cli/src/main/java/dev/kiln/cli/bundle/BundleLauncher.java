package dev.kiln.cli.bundle;

import dev.kiln.agent.service.DeviceJvm;
import java.nio.charset.StandardCharsets;

/** The {@code bin/kiln-agent} script inside a bundle: runs the agent from the bundle's lib/. */
final class BundleLauncher {
  /**
   * {@link DeviceJvm#trimsNativeHeap} in awk, reading a {@code JAVA_VERSION} such as {@code
   * 17.0.15} on stdin; the repository's {@code kiln-agent} uses the same line.
   */
  static final String TRIM_RULE =
      "awk -F. '{ f = $1 + 0; u = $3 + 0; exit !((f == 17 && u >= 9) || (f == 21 && u >= 1)"
          + " || f >= 22) }'";

  private BundleLauncher() {}

  static byte[] script() {
    return """
        #!/bin/sh
        # kiln-agent launcher from a Kiln agent bundle. JAVA_HOME or PATH must give Java 17+.
        # JVM options for a small device (docs/agent-service.md, "JVM options"); KILN_AGENT_HEAP
        # sets the heap cap, and KILN_AGENT_JAVA_OPTS comes after them, so its flags win:
        #   KILN_AGENT_HEAP=256m kiln-agent run --config agent.json
        set -e
        self=$(readlink -f "$0")
        home=$(cd "$(dirname "$self")/.." && pwd)
        if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
        export OPT_OUT_TRACKING=true
        export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-@ARENAS@}"
        # Class-data sharing: the agent writes the archive on its first start (and after a JDK
        # upgrade); it is mapped once it exists. KILN_AGENT_CDS=FILE moves it, =off leaves it out.
        if [ -w "$home" ]; then cds_dir="$home/cds"; else cds_dir="${XDG_CACHE_HOME:-$HOME/.cache}/kiln-agent"; fi
        cds="${KILN_AGENT_CDS:-$cds_dir/@ARCHIVE@}"
        cds_opts=""
        if [ "$cds" != "off" ]; then
          if [ -f "$cds" ]; then cds_opts="-XX:SharedArchiveFile=$cds"; fi
          cds_opts="$cds_opts -Dkiln.agent.cds.archive=$cds"
        fi
        # The JVM gives the C heap's free space back every second, on JVMs that know the flag
        # (17.0.9+, 21.0.1+, 22+; any other JVM would refuse to start): the version is read from
        # the JDK's release file, so no JVM is started to ask.
        trim_opts=""
        java_bin=$(readlink -f "$(command -v "$java" || true)" || true)
        if [ -n "$java_bin" ]; then
          release="$(dirname "$(dirname "$java_bin")")/release"
          version=$(sed -n 's/^JAVA_VERSION="\\([^"]*\\)".*/\\1/p' "$release" 2>/dev/null || true)
          if [ -n "$version" ] && echo "$version" | @TRIM_RULE@; then
            trim_opts="@TRIM@"
          fi
        fi
        # shellcheck disable=SC2086
        exec "$java" -Dai.djl.offline=true -Xmx"${KILN_AGENT_HEAP:-@HEAP@}" @OPTIONS@ $trim_opts $cds_opts \\
          $KILN_AGENT_JAVA_OPTS \\
          -cp "$home/lib/*" dev.kiln.agent.cli.AgentMain "$@"
        """
        .replace("@ARENAS@", DeviceJvm.MALLOC_ARENA_MAX)
        .replace("@HEAP@", DeviceJvm.DEFAULT_HEAP)
        .replace("@OPTIONS@", String.join(" ", DeviceJvm.OPTIONS))
        .replace("@ARCHIVE@", DeviceJvm.ARCHIVE_NAME)
        .replace("@TRIM_RULE@", TRIM_RULE)
        .replace("@TRIM@", String.join(" ", DeviceJvm.NATIVE_HEAP_TRIM))
        .getBytes(StandardCharsets.UTF_8);
  }
}
