package dev.kiln.agent.service;

import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options the agent runs with on a device: the systemd unit puts them in {@code
 * KILN_AGENT_JAVA_OPTS}, the {@code kiln-agent} launcher at the repository root repeats them (a
 * test keeps the two equal). Measured in docs/benchmarks.md ("Agent JVM options for a small
 * device"); explained in docs/agent-service.md.
 */
public final class DeviceJvm {
  /**
   * Heap cap. Without one the JVM takes a quarter of the device's RAM and, being lazy about
   * collecting, fills much of it: 388 MiB of heap for an agent whose live data is a few MiB.
   */
  public static final String DEFAULT_HEAP = "64m";

  /**
   * Besides the heap cap: the serial collector (no concurrent GC threads or remembered sets, the
   * right choice for one or two cores and a small heap) and no hsperfdata file.
   */
  public static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-XX:-UsePerfData");

  /**
   * glibc gives each thread that allocates its own malloc arena (up to 8 per core), and ONNX
   * Runtime's and Jetty's threads each keep one; two arenas are plenty for a device agent.
   */
  public static final String MALLOC_ARENA_MAX = "2";

  private DeviceJvm() {}

  /** {@code -Xmx<heap>} followed by {@link #OPTIONS}. */
  public static List<String> options(String heap) {
    List<String> all = new ArrayList<>();
    all.add("-Xmx" + heap);
    all.addAll(OPTIONS);
    return List.copyOf(all);
  }
}
