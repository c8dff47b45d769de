package dev.kiln.agent.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.cds.ClassDataArchive;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        .contains("exec java $DEVICE_JVM_OPTS $TRIM_OPTS $CDS_OPTS ${KILN_AGENT_JAVA_OPTS:-}");
  }

  @Test
  void theRepositoryLauncher_addsTheNativeHeapTrim_afterTheDeviceOptions() throws Exception {
    String launcher = Files.readString(Path.of("..", "kiln-agent"));
    assertThat(launcher)
        .contains("TRIM_OPTS=\"" + String.join(" ", DeviceJvm.NATIVE_HEAP_TRIM) + "\"")
        .contains("exec java $DEVICE_JVM_OPTS $TRIM_OPTS $CDS_OPTS");
  }

  @Test
  void trimsNativeHeap_onlyOnJvmsThatKnowTheFlag() {
    assertThat(DeviceJvm.trimsNativeHeap("17.0.9")).isTrue();
    assertThat(DeviceJvm.trimsNativeHeap("17.0.15")).isTrue();
    assertThat(DeviceJvm.trimsNativeHeap("21.0.1")).isTrue();
    assertThat(DeviceJvm.trimsNativeHeap("22")).isTrue();
    assertThat(DeviceJvm.trimsNativeHeap("25-ea")).isTrue();
    assertThat(DeviceJvm.trimsNativeHeap("17")).isFalse();
    assertThat(DeviceJvm.trimsNativeHeap("17.0.8")).isFalse();
    assertThat(DeviceJvm.trimsNativeHeap("19.0.2")).isFalse();
    assertThat(DeviceJvm.trimsNativeHeap("21")).isFalse();
    assertThat(DeviceJvm.trimsNativeHeap("not a version")).isFalse();
  }

  @Test
  void nativeHeapTrim_readsTheJdksReleaseFile_andLeavesTheFlagOutWithoutOne(@TempDir Path dir)
      throws Exception {
    Path java = fakeJdk(dir.resolve("new"), "JAVA_VERSION=\"17.0.15\"\n");
    assertThat(DeviceJvm.nativeHeapTrim(java)).isEqualTo(DeviceJvm.NATIVE_HEAP_TRIM);
    assertThat(DeviceJvm.nativeHeapTrim(fakeJdk(dir.resolve("old"), "JAVA_VERSION=\"17.0.8\"\n")))
        .isEmpty();
    Path bare = fakeJdk(dir.resolve("bare"), null);
    assertThat(DeviceJvm.nativeHeapTrim(bare)).isEmpty();
    assertThat(DeviceJvm.nativeHeapTrim(dir.resolve("missing/bin/java"))).isEmpty();
  }

  @Test
  void theUnit_trimsTheNativeHeap_onlyWhereItsJdkHasTheFlag(@TempDir Path dir) throws Exception {
    Path newJdk = fakeJdk(dir.resolve("new"), "JAVA_VERSION=\"17.0.15\"\n");
    Path oldJdk = fakeJdk(dir.resolve("old"), "JAVA_VERSION=\"17.0.4\"\n");
    assertThat(unitFor(newJdk))
        .contains(
            "Environment=\"KILN_AGENT_JAVA_OPTS="
                + String.join(" ", DeviceJvm.options(DeviceJvm.DEFAULT_HEAP))
                + " "
                + String.join(" ", DeviceJvm.NATIVE_HEAP_TRIM)
                + "\"");
    assertThat(unitFor(oldJdk))
        .contains(
            "Environment=\"KILN_AGENT_JAVA_OPTS="
                + String.join(" ", DeviceJvm.options(DeviceJvm.DEFAULT_HEAP))
                + "\"")
        .doesNotContain("TrimNativeHeapInterval");
  }

  private static String unitFor(Path java) {
    UnitSettings settings =
        new UnitSettings(
            java,
            Path.of("/opt/kiln"),
            "kiln",
            Path.of("/var/lib/kiln"),
            Path.of("/etc/kiln/agent.json"));
    return UnitTemplate.fromClasspath().render(settings.templateValues());
  }

  /** A JDK folder with {@code bin/java} and, unless {@code release} is null, a release file. */
  private static Path fakeJdk(Path home, String release) throws Exception {
    Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
    Files.writeString(java, "");
    if (release != null) {
      Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Test\"\n" + release);
    }
    return java;
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
                + String.join(" ", DeviceJvm.options(DeviceJvm.DEFAULT_HEAP)))
        .contains("Environment=MALLOC_ARENA_MAX=" + DeviceJvm.MALLOC_ARENA_MAX);
  }

  @Test
  void options_startWithTheHeapCap() {
    assertThat(DeviceJvm.options("96m")).first().isEqualTo("-Xmx96m");
    assertThat(DeviceJvm.options("96m")).contains("-Xms8m", "-XX:NewRatio=4", "-XX:+UseSerialGC");
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
