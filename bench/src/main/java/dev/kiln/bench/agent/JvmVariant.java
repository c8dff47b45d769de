package dev.kiln.bench.agent;

import dev.kiln.agent.service.DeviceJvm;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A named set of JVM options and environment to start the agent with. */
public record JvmVariant(String name, List<String> options, Map<String, String> env) {

  /**
   * What the footprint bench compares: the agent as the issue found it, JVM defaults, the issue's
   * first try, the device set and two variations of it.
   */
  public static List<JvmVariant> candidates() {
    List<String> device = DeviceJvm.options(DeviceJvm.DEFAULT_HEAP);
    Map<String, String> arenas = Map.of("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX);
    List<String> c1 = new ArrayList<>(device);
    c1.add("-XX:TieredStopAtLevel=1");
    return List.of(
        new JvmVariant(
            "before: JVM defaults, PyTorch loaded as DJL's alternative engine",
            List.of("-Dai.djl.onnx.disable_alternative=false"),
            Map.of()),
        new JvmVariant("JVM defaults", List.of(), Map.of()),
        new JvmVariant(
            "-Xmx64m -XX:+UseSerialGC", List.of("-Xmx64m", "-XX:+UseSerialGC"), Map.of()),
        new JvmVariant(
            "device defaults (" + String.join(" ", device) + ", MALLOC_ARENA_MAX=2)",
            device,
            arenas),
        new JvmVariant("device defaults + -XX:TieredStopAtLevel=1", c1, arenas),
        new JvmVariant("device defaults, -Xmx32m", DeviceJvm.options("32m"), arenas));
  }
}
