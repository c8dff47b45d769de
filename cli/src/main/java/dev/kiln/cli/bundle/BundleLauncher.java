package dev.kiln.cli.bundle;

import java.nio.charset.StandardCharsets;

/** The {@code bin/kiln-agent} script inside a bundle: runs the agent from the bundle's lib/. */
final class BundleLauncher {
  private BundleLauncher() {}

  static byte[] script() {
    return """
        #!/bin/sh
        # kiln-agent launcher from a Kiln agent bundle. JAVA_HOME or PATH must give Java 17+.
        # Extra JVM flags: KILN_AGENT_JAVA_OPTS="-Xmx256m" kiln-agent run --config agent.json
        set -e
        self=$(readlink -f "$0")
        home=$(cd "$(dirname "$self")/.." && pwd)
        if [ -n "$JAVA_HOME" ]; then java="$JAVA_HOME/bin/java"; else java=java; fi
        export OPT_OUT_TRACKING=true
        # shellcheck disable=SC2086
        exec "$java" -Dai.djl.offline=true $KILN_AGENT_JAVA_OPTS \\
          -cp "$home/lib/*" dev.kiln.agent.cli.AgentMain "$@"
        """
        .getBytes(StandardCharsets.UTF_8);
  }
}
