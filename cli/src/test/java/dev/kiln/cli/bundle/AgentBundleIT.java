package dev.kiln.cli.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bundles the real agent build for both architectures and checks, by reading ELF headers, that
 * every native library left in each bundle is built for that bundle's CPU.
 */
class AgentBundleIT {
  // The build points java.io.tmpdir at target/tmp, which @TempDir needs to exist.
  @BeforeAll
  static void createTmpdir() throws IOException {
    Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
  }

  private static final int EM_X86_64 = 62;
  private static final int EM_AARCH64 = 183;

  @TempDir Path out;

  private static AgentBuild realBuild() {
    Path repo = Path.of(System.getProperty("kiln.repo.root", "..")).toAbsolutePath().normalize();
    try {
      return AgentBuild.locate(repo);
    } catch (BundleException e) {
      if ("true".equals(System.getenv("CI"))) {
        fail("CI must build edge-agent before cli: " + e.getMessage());
      }
      assumeThat(false).as(e.getMessage()).isTrue();
      return null;
    }
  }

  private Path unpack(BundleReport report) throws Exception {
    Path dir = Files.createDirectories(out.resolve("unpacked-" + report.arch()));
    Process tar =
        new ProcessBuilder("tar", "-xzf", report.bundle().toString(), "-C", dir.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(tar.getInputStream().readAllBytes());
    assertThat(tar.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(tar.exitValue()).as(log).isZero();
    return dir.resolve("kiln-agent-" + report.version() + "-linux-" + report.arch()).resolve("lib");
  }

  /** e_machine of every .so in the jars of {@code lib}; fails on none found. */
  private static List<Integer> machines(Path lib) throws IOException {
    List<Integer> machines = new java.util.ArrayList<>();
    try (var jars = Files.list(lib)) {
      for (Path jar : jars.toList()) {
        try (ZipFile zip = new ZipFile(jar.toFile())) {
          for (ZipEntry entry : zip.stream().toList()) {
            if (entry.getName().matches(".*\\.so(\\.[0-9.]+)?$")) {
              try (InputStream in = zip.getInputStream(entry)) {
                byte[] header = in.readNBytes(20);
                assertThat(header).startsWith(0x7f, 'E', 'L', 'F');
                machines.add((header[18] & 0xff) | (header[19] & 0xff) << 8);
              }
            }
          }
        }
      }
    }
    assertThat(machines).as("native libraries in " + lib).isNotEmpty();
    return machines;
  }

  @Test
  void arm64Bundle_carriesOnlyAarch64Natives_andX86BundleOnlyX86() throws Exception {
    AgentBuild build = realBuild();
    AgentBundler bundler = new AgentBundler(build, AgentBundler.defaultMavenRepo());

    Path arm = unpack(bundler.write(TargetArch.ARM64, out, false));
    Path x86 = unpack(bundler.write(TargetArch.X86_64, out, false));

    assertThat(machines(arm)).containsOnly(EM_AARCH64);
    assertThat(machines(x86)).containsOnly(EM_X86_64);
    assertThat(arm.resolve("pytorch-native-cpu-2.7.1-linux-aarch64.jar")).isRegularFile();
    assertThat(x86.resolve("pytorch-native-cpu-2.7.1-linux-x86_64.jar")).isRegularFile();
  }
}
