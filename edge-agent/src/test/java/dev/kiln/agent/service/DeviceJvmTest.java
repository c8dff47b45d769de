package dev.kiln.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DeviceJvmTest {

  @Test
  void theRepositoryLauncher_usesTheSameOptionsAsTheUnit() throws Exception {
    // Maven runs tests in the module folder; the launcher sits at the repository root.
    String launcher = Files.readString(Path.of("..", "kiln-agent"));
    assertThat(launcher)
        .contains(
            "-Xmx${KILN_AGENT_HEAP:-"
                + DeviceJvm.DEFAULT_HEAP
                + "} "
                + String.join(" ", DeviceJvm.OPTIONS)
                + "\"")
        .contains("MALLOC_ARENA_MAX=\"${MALLOC_ARENA_MAX:-" + DeviceJvm.MALLOC_ARENA_MAX + "}\"");
  }

  @Test
  void options_startWithTheHeapCap() {
    assertThat(DeviceJvm.options("96m")).first().isEqualTo("-Xmx96m");
    assertThat(DeviceJvm.options("96m")).contains("-XX:+UseSerialGC");
  }
}
