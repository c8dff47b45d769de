package dev.kiln.agent.service;

import dev.kiln.agent.cds.ClassDataArchive;
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
   * cores and a small heap) and no hsperfdata file.
   */
  public static final List<String> OPTIONS =
      List.of("-Xms8m", "-XX:+UseSerialGC", "-XX:-UsePerfData");

  /**
   * glibc gives each thread that allocates its own malloc arena (up to 8 per core), and ONNX
   * Runtime's and Jetty's threads each keep one; two arenas are plenty for a device agent.
   */
  public static final String MALLOC_ARENA_MAX = "2";

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
