package dev.kiln.bench.agent;

import dev.kiln.agent.service.DeviceJvm;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
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
    List<String> options = device(heap);
    return new JvmVariant(
        "device JVM options (" + String.join(" ", options) + ")",
        options,
        Map.of("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX));
  }

  /** {@link DeviceJvm#options} and the native heap trim where this JVM has it, as the launchers. */
  private static List<String> device(String heap) {
    List<String> options = new ArrayList<>(DeviceJvm.options(heap));
    options.addAll(
        DeviceJvm.nativeHeapTrim(Path.of(System.getProperty("java.home"), "bin", "java")));
    return List.copyOf(options);
  }

  /**
   * What the footprint bench compares: the agent as issue 13 found it, JVM defaults, the device
   * options before the footprint work, the device defaults without the archive, the defaults before
   * the native heap trim and the smaller young generation, the device defaults (with the archive),
   * and the device defaults with C1 only.
   *
   * @param archive the class-data archive made for the agent's classpath
   */
  public static List<JvmVariant> candidates(Path archive) {
    Map<String, String> arenas = Map.of("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX);
    List<String> device = device(DeviceJvm.DEFAULT_HEAP);
    List<String> withArchive = new ArrayList<>(device);
    withArchive.addAll(DeviceJvm.classDataSharing(archive, true));
    List<String> c1 = new ArrayList<>(withArchive);
    c1.add("-XX:TieredStopAtLevel=1");
    List<String> beforeTrim =
        new ArrayList<>(List.of("-Xmx64m", "-Xms8m", "-XX:+UseSerialGC", "-XX:-UsePerfData"));
    beforeTrim.addAll(DeviceJvm.classDataSharing(archive, true));
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
            "device defaults until 2026-12-03 (-Xmx64m -Xms8m -XX:+UseSerialGC -XX:-UsePerfData,"
                + " class-data archive)",
            beforeTrim,
            arenas),
        new JvmVariant(
            "**device defaults** (" + String.join(" ", device) + ", class-data archive)",
            withArchive,
            arenas),
        new JvmVariant("device defaults + -XX:TieredStopAtLevel=1", c1, arenas));
  }

  /**
   * The rows a run compares: {@link #candidates} filtered by {@code -Dkiln.bench.deviceJvmRows}
   * (indexes into the candidates, comma-separated; all when absent), then one row per entry of
   * {@code -Dkiln.bench.deviceJvmTrial} or the environment's {@code KILN_BENCH_DEVICE_JVM_TRIAL}
   * ({@code name=option option;name=...}; {@code bench/run} splits its options on spaces), each the
   * device defaults with the archive plus its options. Trials run beside the defaults in the same
   * rounds, so an idea is measured against them under the same load before it becomes a default.
   */
  public static List<JvmVariant> selected(Path archive) {
    List<JvmVariant> all = candidates(archive);
    String rows = System.getProperty("kiln.bench.deviceJvmRows", "").trim();
    List<JvmVariant> chosen = new ArrayList<>();
    if (rows.isEmpty()) {
      chosen.addAll(all);
    } else {
      for (String i : rows.split(",")) {
        chosen.add(all.get(Integer.parseInt(i.trim())));
      }
    }
    String trials =
        System.getProperty(
                "kiln.bench.deviceJvmTrial",
                System.getenv().getOrDefault("KILN_BENCH_DEVICE_JVM_TRIAL", ""))
            .trim();
    if (!trials.isEmpty()) {
      List<String> base = new ArrayList<>(device(DeviceJvm.DEFAULT_HEAP));
      base.addAll(DeviceJvm.classDataSharing(archive, true));
      for (String trial : trials.split(";")) {
        int eq = trial.indexOf('=');
        List<String> options = new ArrayList<>(base);
        Map<String, String> env = new HashMap<>();
        env.put("MALLOC_ARENA_MAX", DeviceJvm.MALLOC_ARENA_MAX);
        for (String o : trial.substring(eq + 1).trim().split("\\s+")) {
          if (o.startsWith("env:")) {
            // env:NAME=value sets the agent's environment instead of a JVM option.
            String[] kv = o.substring(4).split("=", 2);
            env.put(kv[0], kv[1]);
          } else if (!o.isEmpty()) {
            options.add(o);
          }
        }
        chosen.add(new JvmVariant(trial.substring(0, eq).trim(), options, Map.copyOf(env)));
      }
    }
    return List.copyOf(chosen);
  }
}
