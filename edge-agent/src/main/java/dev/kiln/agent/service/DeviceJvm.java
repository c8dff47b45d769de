package dev.kiln.agent.service;

import dev.kiln.agent.cds.ClassDataArchive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options the agent runs with on a device: the systemd unit puts them in {@code
 * KILN_AGENT_JAVA_OPTS}, the {@code kiln-agent} launcher at the repository root and the bundle's
 * launcher repeat them (tests keep them equal). Measured in docs/benchmarks.md ("Agent JVM options
 * for a small device", "Footprint: where the agent's memory and start time go"); explained in
 * docs/agent-service.md.
 */
public final class DeviceJvm {
  /**
   * Heap cap. Without one the JVM takes a quarter of the device's RAM and, being lazy about
   * collecting, fills much of it: 388 MiB of heap for an agent whose live data is a few MiB.
   */
  public static final String DEFAULT_HEAP = "64m";

  /**
   * Besides the heap cap: an 8 MiB initial heap (the young generation is sized from it, and every
   * page of it is touched once requests cycle through it: 20 MiB of RSS with the JVM's default
   * initial size on a large host; the heap still grows to the cap when the load needs it), the
   * serial collector (no concurrent GC threads or remembered sets, the right choice for one or two
   * cores and a small heap) and no hsperfdata file. The young generation is a fifth of the heap
   * instead of a third ({@code -XX:NewRatio=4}): all of it is touched as requests cycle through it,
   * and a smaller one saved 2 MiB for the CNN and 4 MiB for mobilenet_v2 without slowing either;
   * being a ratio, it still grows with the heap when large bodies make the heap grow.
   */
  public static final List<String> OPTIONS =
      List.of("-Xms8m", "-XX:NewRatio=4", "-XX:+UseSerialGC", "-XX:-UsePerfData");

  /**
   * glibc gives each thread that allocates its own malloc arena (up to 8 per core), and ONNX
   * Runtime's and Jetty's threads each keep one; two arenas are plenty for a device agent.
   */
  public static final String MALLOC_ARENA_MAX = "2";

  /**
   * Returns the C heap to the system every second. glibc keeps what is freed: after the first
   * thousand requests about 10 MiB of the agent's RSS is arena space C2 compiled in and gave back,
   * which the JVM frees to malloc every 5 s and glibc then holds (docs/benchmarks.md, "2026-12-03:
   * native heap trim and a smaller young generation"). A trim is one {@code malloc_trim} on a JVM
   * thread of its own, off the request path; request latency did not move in that bench. The flag
   * exists from JDK 17.0.9 and 21.0.1 on and was experimental in its first updates, hence the
   * unlock; older JVMs refuse to start with it, so it is added only where {@link #trimsNativeHeap}
   * says the JVM has it.
   */
  public static final List<String> NATIVE_HEAP_TRIM =
      List.of("-XX:+UnlockExperimentalVMOptions", "-XX:TrimNativeHeapInterval=1000");

  /** File name of the class-data archive ({@link ClassDataArchive}) in its folder. */
  public static final String ARCHIVE_NAME = "kiln-agent.jsa";

  private DeviceJvm() {}

  /** {@code -Xmx<heap>} followed by {@link #OPTIONS}. */
  public static List<String> options(String heap) {
    List<String> all = new ArrayList<>();
    all.add("-Xmx" + heap);
    all.addAll(OPTIONS);
    return List.copyOf(all);
  }

  /**
   * Whether a JVM of this version ({@code JAVA_VERSION} of its {@code release} file, e.g. {@code
   * 17.0.15}) knows {@code -XX:TrimNativeHeapInterval}: 17.0.9 and later 17 updates, 21.0.1 and
   * later, 22 on. JDK 18 to 20 never had it. The launchers apply the same rule in shell.
   */
  public static boolean trimsNativeHeap(String javaVersion) {
    Runtime.Version v;
    try {
      v = Runtime.Version.parse(javaVersion.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return switch (v.feature()) {
      case 17 -> v.update() >= 9;
      case 21 -> v.update() >= 1;
      default -> v.feature() > 21;
    };
  }

  /**
   * {@link #NATIVE_HEAP_TRIM} when the JDK that {@code java} belongs to has it, read from the
   * {@code release} file beside its {@code bin} folder (Debian's JRE packages ship it); none when
   * that file is missing or unreadable, since a JVM that refuses an option does not start at all.
   */
  public static List<String> nativeHeapTrim(Path java) {
    try {
      Path home = java.toRealPath().getParent().getParent();
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return trimsNativeHeap(version) ? NATIVE_HEAP_TRIM : List.of();
        }
      }
    } catch (IOException | RuntimeException e) {
      // No release file, or no such java: leave the option out.
    }
    return List.of();
  }

  /**
   * Maps the class-data archive at start and tells the agent where it lives, so the agent rebuilds
   * it when it is missing or stale. Pass {@code -XX:SharedArchiveFile} only for an archive that
   * exists where that can be decided (the launchers): for a missing file the JVM drops class-data
   * sharing altogether, its own JDK archive included.
   */
  public static List<String> classDataSharing(Path archive, boolean exists) {
    List<String> all = new ArrayList<>();
    if (exists) {
      all.add("-XX:SharedArchiveFile=" + archive);
    }
    all.add("-D" + ClassDataArchive.PROPERTY + "=" + archive);
    return List.copyOf(all);
  }
}
