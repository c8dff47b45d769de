package dev.kiln.cli.bundle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.service.DeviceJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the bundle's {@code bin/kiln-agent} with /bin/sh and a java that prints its arguments. */
class BundleLauncherTest {
  @TempDir Path dir;
  private Path home;
  private Path javaHome;

  @BeforeEach
  void bundle() throws Exception {
    home = Files.createDirectories(dir.resolve("kiln-agent"));
    Files.createDirectories(home.resolve("lib"));
    Path launcher = Files.createDirectories(home.resolve("bin")).resolve("kiln-agent");
    Files.write(launcher, BundleLauncher.script());
    Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    javaHome = dir.resolve("jdk");
    Path java = Files.createDirectories(javaHome.resolve("bin")).resolve("java");
    Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done\n");
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private String run(Map<String, String> env) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder("/bin/sh", home.resolve("bin/kiln-agent").toString(), "run")
            .redirectErrorStream(true);
    pb.environment().put("JAVA_HOME", javaHome.toString());
    pb.environment().remove("KILN_AGENT_JAVA_OPTS");
    pb.environment().remove("KILN_AGENT_CDS");
    pb.environment().putAll(env);
    Process process = pb.start();
    String out = new String(process.getInputStream().readAllBytes());
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out;
  }

  @Test
  void startsTheJvmWithTheDeviceOptions() throws Exception {
    String args = run(Map.of());
    assertThat(args.lines())
        .containsSubsequence(DeviceJvm.options(DeviceJvm.DEFAULT_HEAP))
        .contains("dev.kiln.agent.cli.AgentMain", "run");
  }

  @Test
  void trimsTheNativeHeap_onlyWhenTheJdksReleaseFileNamesAVersionWithTheFlag() throws Exception {
    assertThat(run(Map.of()).lines()).noneMatch(a -> a.contains("TrimNativeHeapInterval"));

    Files.writeString(javaHome.resolve("release"), "JAVA_VERSION=\"17.0.8\"\n");
    assertThat(run(Map.of()).lines()).noneMatch(a -> a.contains("TrimNativeHeapInterval"));

    Files.writeString(javaHome.resolve("release"), "JAVA_VERSION=\"17.0.15\"\n");
    assertThat(run(Map.of()).lines())
        .containsSubsequence(DeviceJvm.options(DeviceJvm.DEFAULT_HEAP))
        .containsSubsequence(DeviceJvm.NATIVE_HEAP_TRIM);
  }

  @Test
  void theRepositoryLauncher_appliesTheSameVersionRule() throws Exception {
    // Maven runs tests in the module folder; the launcher sits at the repository root.
    String launcher = Files.readString(Path.of("..", "kiln-agent"));
    assertThat(launcher).contains("| " + BundleLauncher.TRIM_RULE + "; then");
  }

  @Test
  void mapsTheClassDataArchive_onlyOnceItExists() throws Exception {
    Path archive = home.resolve("cds").resolve(DeviceJvm.ARCHIVE_NAME);
    assertThat(run(Map.of()).lines())
        .contains("-Dkiln.agent.cds.archive=" + archive)
        .noneMatch(a -> a.startsWith("-XX:SharedArchiveFile"));

    Files.createDirectories(archive.getParent());
    Files.writeString(archive, "archive");
    assertThat(run(Map.of()).lines())
        .contains("-XX:SharedArchiveFile=" + archive, "-Dkiln.agent.cds.archive=" + archive);

    assertThat(run(Map.of("KILN_AGENT_CDS", "off")).lines())
        .noneMatch(a -> a.contains("SharedArchiveFile") || a.contains("kiln.agent.cds"));
  }
}
