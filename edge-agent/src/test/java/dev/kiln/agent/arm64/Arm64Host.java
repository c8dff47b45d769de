package dev.kiln.agent.arm64;

import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * An arm64 JVM on this x86_64 host: qemu-user plus the sysroot {@code .ci/arm64-sysroot.sh} builds.
 * On CI a missing piece fails the test; elsewhere it skips with the command that fixes it.
 */
record Arm64Host(Path qemu, Path sysroot) {
  static final String JAVA = "usr/lib/jvm/java-17-openjdk-arm64/bin/java";

  static Arm64Host require(Path repoRoot) {
    Path sysroot = sysroot(repoRoot);
    Path qemu = onPath("qemu-aarch64-static");
    String fix =
        "install qemu-user-static (apt-get install -y qemu-user-static) and build the sysroot"
            + " (.ci/arm64-sysroot.sh "
            + sysroot
            + ")";
    boolean ready = qemu != null && Files.isExecutable(sysroot.resolve(JAVA));
    if (!ready) {
      String missing =
          (qemu == null ? "qemu-aarch64-static not on PATH" : "no arm64 JVM in " + sysroot)
              + "; "
              + fix;
      if ("true".equals(System.getenv("CI"))) {
        fail(missing);
      }
      assumeThat(ready).as(missing).isTrue();
    }
    return new Arm64Host(qemu, sysroot);
  }

  /** The command prefix that runs the arm64 java under emulation. */
  List<String> java() {
    return List.of(qemu.toString(), "-L", sysroot.toString(), sysroot.resolve(JAVA).toString());
  }

  /**
   * The agent's classpath as an arm64 bundle has it: the built jar and its libs, with PyTorch's
   * x86_64 natives swapped for the aarch64 ones the pom copies to target/natives-aarch64.
   */
  static String agentClasspath(Path target) throws IOException {
    List<String> entries = new ArrayList<>();
    for (Path jar : jars(target, "kiln-edge-agent-*.jar")) {
      if (!jar.getFileName().toString().endsWith("-sources.jar")) {
        entries.add(jar.toString());
      }
    }
    for (Path jar : jars(target.resolve("lib"), "*.jar")) {
      if (!jar.getFileName().toString().matches("pytorch-native-cpu-.*-linux-x86_64\\.jar")) {
        entries.add(jar.toString());
      }
    }
    List<Path> natives = jars(target.resolve("natives-aarch64"), "*.jar");
    if (entries.size() < 2 || natives.isEmpty()) {
      fail(
          "the packaged agent is incomplete in "
              + target
              + " (jar, lib/, natives-aarch64/); run mvn -pl edge-agent package");
    }
    natives.forEach(jar -> entries.add(jar.toString()));
    return String.join(File.pathSeparator, entries);
  }

  private static Path sysroot(Path repoRoot) {
    String configured =
        System.getProperty("kiln.arm64.sysroot", System.getenv("KILN_ARM64_SYSROOT"));
    return configured != null
        ? Path.of(configured).toAbsolutePath()
        : repoRoot.resolve(".cache/arm64-sysroot");
  }

  private static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  private static List<Path> jars(Path dir, String glob) throws IOException {
    List<Path> found = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
        stream.forEach(found::add);
      }
    }
    found.sort(null);
    return found;
  }
}
