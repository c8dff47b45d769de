package dev.kiln.bench.agent;

import dev.kiln.agent.service.DeviceJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** A named set of JVM options and environment to start the agent with. */
public record JvmVariant(String name, List<String> options, Map<String, String> env) {

  /**
   * The device defaults (heap cap, serial GC, {@code MALLOC_ARENA_MAX}) without the class-data
   * archive, which only moves start time: how a device runs the agent, for benchmarks of serving.
   *
   * @param heap the heap cap, e.g. {@link DeviceJvm#DEFAULT_HEAP}
   */
  public static JvmVariant deviceDefaults(String heap) {
    return new JvmVariant(
        "device JVM options (" + String.join(" ", DeviceJvm.options(heap)) + ")",
        DeviceJvm.options(heap),
        Map.of("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX));
  }

  /**
   * What the footprint bench compares: the agent as issue 13 found it, JVM defaults, the device
   * options before the footprint work, the device defaults (with the class-data archive), and the
   * device defaults without the archive and with C1 only.
   *
   * @param archive the class-data archive made for the agent's classpath
   */
  public static List<JvmVariant> candidates(Path archive) {
    Map<String, String> arenas = Map.of("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX);
    List<String> device = new ArrayList<>(DeviceJvm.options(DeviceJvm.DEFAULT_HEAP));
    List<String> withArchive = new ArrayList<>(device);
    withArchive.addAll(DeviceJvm.classDataSharing(archive, true));
    List<String> c1 = new ArrayList<>(withArchive);
    c1.add("-XX:TieredStopAtLevel=1");
    return List.of(
        new JvmVariant(
            "before: JVM defaults, PyTorch loaded as DJL's alternative engine",
            List.of("-Dai.djl.onnx.disable_alternative=false"),
            Map.of()),
        new JvmVariant("JVM defaults", List.of(), Map.of()),
        new JvmVariant(
            "previous device defaults (-Xmx64m -XX:+UseSerialGC -XX:-UsePerfData,"
                + " MALLOC_ARENA_MAX=2)",
            List.of("-Xmx64m", "-XX:+UseSerialGC", "-XX:-UsePerfData"),
            arenas),
        new JvmVariant(
            "device defaults without the class-data archive (" + String.join(" ", device) + ")",
            device,
            arenas),
        new JvmVariant(
            "**device defaults** (" + String.join(" ", device) + ", class-data archive)",
            withArchive,
            arenas),
        new JvmVariant("device defaults + -XX:TieredStopAtLevel=1", c1, arenas));
  }
}
