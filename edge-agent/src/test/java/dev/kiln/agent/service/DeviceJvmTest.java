package dev.kiln.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.cds.ClassDataArchive;
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
  void theRepositoryLauncher_mapsTheClassDataArchive_onlyWhenItExists() throws Exception {
    String launcher = Files.readString(Path.of("..", "kiln-agent"));
    assertThat(launcher)
        .contains("/" + DeviceJvm.ARCHIVE_NAME + "}")
        .contains("[ -f \"$CDS_ARCHIVE\" ] && CDS_OPTS=\"-XX:SharedArchiveFile=$CDS_ARCHIVE\"")
        .contains("-D" + ClassDataArchive.PROPERTY + "=$CDS_ARCHIVE")
        .contains("exec java $DEVICE_JVM_OPTS $CDS_OPTS ${KILN_AGENT_JAVA_OPTS:-}");
  }

  @Test
  void theUnit_mapsTheArchiveInTheStateFolder_andTellsTheAgentWhereItIs() {
    UnitSettings settings =
        new UnitSettings(
            Path.of("/usr/bin/java"),
            Path.of("/opt/kiln"),
            "kiln",
            Path.of("/var/lib/kiln"),
            Path.of("/etc/kiln/agent.json"));
    String unit = UnitTemplate.fromClasspath().render(settings.templateValues());
    assertThat(unit)
        .contains(
            " -XX:SharedArchiveFile=/var/lib/kiln/cds/kiln-agent.jsa"
                + " -Dkiln.agent.cds.archive=/var/lib/kiln/cds/kiln-agent.jsa"
                + " $KILN_AGENT_JAVA_OPTS ")
        .contains(
            "Environment=\"KILN_AGENT_JAVA_OPTS="
                + String.join(" ", DeviceJvm.options(DeviceJvm.DEFAULT_HEAP))
                + "\"")
        .contains("Environment=MALLOC_ARENA_MAX=" + DeviceJvm.MALLOC_ARENA_MAX);
  }

  @Test
  void options_startWithTheHeapCap() {
    assertThat(DeviceJvm.options("96m")).first().isEqualTo("-Xmx96m");
    assertThat(DeviceJvm.options("96m")).contains("-Xms8m", "-XX:+UseSerialGC");
  }

  @Test
  void classDataSharing_leavesOutAMissingArchive_butAlwaysNamesIt() {
    Path archive = Path.of("/var/lib/kiln/cds/kiln-agent.jsa");
    assertThat(DeviceJvm.classDataSharing(archive, true))
        .containsExactly("-XX:SharedArchiveFile=" + archive, "-Dkiln.agent.cds.archive=" + archive);
    assertThat(DeviceJvm.classDataSharing(archive, false))
        .containsExactly("-Dkiln.agent.cds.archive=" + archive);
  }
}
