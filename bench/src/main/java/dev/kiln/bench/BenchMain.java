package dev.kiln.bench;

import dev.kiln.bench.agent.AutoscaleBench;
import dev.kiln.bench.agent.BatchingBench;
import dev.kiln.bench.agent.ClassListWriter;
import dev.kiln.bench.agent.DecodeBench;
import dev.kiln.bench.agent.DeviceJvmBench;
import dev.kiln.bench.agent.FootprintBench;
import dev.kiln.bench.agent.ModelLoadBench;
import dev.kiln.bench.agent.OipBench;
import dev.kiln.bench.agent.OverheadBench;
import dev.kiln.bench.agent.RunnerOverheadBench;
import dev.kiln.bench.agent.ThroughputBench;
import dev.kiln.bench.capture.CaptureBench;
import dev.kiln.bench.capture.CaptureStoresBench;
import dev.kiln.bench.capture.GroupCommitBench;
import dev.kiln.bench.capture.OutboxBench;
import dev.kiln.bench.cloud.CloudApiBench;
import dev.kiln.bench.fleet.FleetReport;
import dev.kiln.bench.fleet.FleetRolloutBench;
import dev.kiln.bench.http.HttpServersBench;
import dev.kiln.bench.http.HttpServersReport;
import dev.kiln.bench.monitor.MonitorCheckBench;
import dev.kiln.bench.peer.PeerBench;
import dev.kiln.bench.peer.PeerReport;
import dev.kiln.bench.quantize.CalibrationBench;
import dev.kiln.bench.quantize.QuantizeBench;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry point of bench/run. Prints markdown tables to paste into docs/benchmarks.md; every figure
 * is a ratio against a baseline measured in the same process, so results travel between machines
 * better than raw times.
 */
public final class BenchMain {
  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    Path repo = Path.of(System.getProperty("kiln.home", ".")).toAbsolutePath().normalize();
    String which = args.length > 0 ? args[0] : "compile";
    int threads = Math.min(2, Runtime.getRuntime().availableProcessors());
    System.out.printf(
        "host: %s, %d cores, Java %s, load average %s; %d intra-op threads%n%n",
        System.getProperty("os.arch"),
        Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.version"),
        loadAverage(),
        threads);
    List<String> both = List.of("cnn/cnn.onnx", "mlp/mlp.onnx");
    switch (which) {
      case "compile" ->
          printCompile(
              CompileBench.run(
                  repo,
                  List.of("cnn/cnn.onnx", "large/mobilenet_v2/mobilenet_v2.onnx"),
                  intArg(args, 1, 200),
                  threads));
      case "agent-overhead" ->
          AgentReports.overhead(
              OverheadBench.run(
                  repo,
                  args.length > 2
                      ? List.of(args[2])
                      : List.of(
                          "cnn/cnn.onnx", "mlp/mlp.onnx", "large/mobilenet_v2/mobilenet_v2.onnx"),
                  intArg(args, 1, 1000)));
      case "agent-decode" -> DecodeBench.print(DecodeBench.run(intArg(args, 1, 200)));
      case "agent-throughput" ->
          AgentReports.throughput(
              ThroughputBench.run(
                  repo, "cnn/cnn.onnx", new int[] {1, 8, 32}, intArg(args, 1, 10), threads));
      case "oip" -> {
        int clients = intArg(args, 2, 8);
        AgentReports.oip(
            OipBench.run(
                repo,
                args.length > 4 ? List.of(args[4]) : both,
                intArg(args, 1, 1000),
                clients,
                intArg(args, 3, 10),
                threads),
            clients);
      }
      case "peer" ->
          PeerReport.print(
              PeerBench.run(
                  repo,
                  args.length > 2
                      ? List.of(args[2])
                      : List.of("cnn/cnn.onnx", "large/mobilenet_v2/mobilenet_v2.onnx"),
                  intArg(args, 1, 10)));
      case "agent-batching" ->
          AgentReports.batching(
              BatchingBench.run(
                  repo,
                  args.length > 3
                      ? List.of(args[3])
                      : List.of("cnn/cnn.onnx", "large/mobilenet_v2/mobilenet_v2.onnx"),
                  intArg(args, 1, 1000),
                  intArg(args, 2, 10)));
      case "agent-autoscale" ->
          AutoscaleBench.print(
              AutoscaleBench.run(
                  repo,
                  args.length > 4
                      ? List.of(args[4])
                      : List.of("large/mobilenet_v2/mobilenet_v2.onnx", "cnn/cnn.onnx"),
                  intArg(args, 2, 8),
                  intArg(args, 1, 10),
                  intArg(args, 3, 5)));
      case "agent-device-jvm" ->
          AgentReports.deviceJvm(
              DeviceJvmBench.run(
                  repo,
                  args.length > 2 ? args[2] : "cnn/cnn.onnx",
                  intArg(args, 1, 3),
                  intArg(args, 3, 1000)));
      case "agent-classlist" ->
          System.out.println(ClassListWriter.write(repo, intArg(args, 1, 1000)));
      case "agent-footprint" ->
          AgentReports.footprint(FootprintBench.run(repo, both, intArg(args, 1, 5), threads));
      case "model-load" ->
          ModelLoadBench.print(
              ModelLoadBench.run(
                  repo,
                  List.of(
                      "cnn/cnn.onnx",
                      "large/mobilenet_v2/mobilenet_v2.onnx",
                      "large/resnet18/resnet18.onnx"),
                  intArg(args, 1, 15),
                  threads));
      case "runner-overhead" ->
          RunnerOverheadBench.print(
              RunnerOverheadBench.run(repo, both, intArg(args, 1, 2000), threads));
      case "capture" ->
          AgentReports.capture(
              CaptureBench.run(
                  repo, "cnn/cnn.onnx", intArg(args, 1, 5000), intArg(args, 2, 1000), threads));
      case "capture-stores" ->
          CaptureStoresBench.print(CaptureStoresBench.run(intArg(args, 1, 20000)));
      case "capture-sync" ->
          GroupCommitBench.print(
              GroupCommitBench.run(new int[] {1, 4, 16, 64}, intArg(args, 1, 200)));
      case "capture-outbox" ->
          OutboxBench.print(OutboxBench.run(intArg(args, 1, 3000), intArg(args, 2, 5)));
      case "fleet-rollout" ->
          FleetReport.print(
              FleetRolloutBench.run(
                  FleetRolloutBench.Args.parse(List.of(args).subList(1, args.length))));
      case "http-servers" ->
          HttpServersReport.print(
              HttpServersBench.run(
                  repo,
                  List.of(args).contains("--quick")
                      ? HttpServersBench.Settings.quick()
                      : HttpServersBench.Settings.full(intArg(args, 1, 10))));
      case "cloud-api" ->
          CloudApiBench.print(
              CloudApiBench.run(
                  intArg(args, 1, 10_000), intArg(args, 2, 100), intArg(args, 3, 500)));
      case "monitor-check" ->
          MonitorCheckBench.print(
              MonitorCheckBench.run(intArg(args, 1, 1_000_000), intArg(args, 2, 3)));
      case "quantize" ->
          QuantizeBench.print(
              QuantizeBench.run(
                  repo,
                  List.of(
                      new QuantizeBench.Subject("cnn/cnn.onnx", new long[] {1, 3, 32, 32}, 100),
                      new QuantizeBench.Subject(
                          "large/resnet18/resnet18.onnx", new long[] {1, 3, 224, 224}, 40),
                      new QuantizeBench.Subject(
                          "large/mobilenet_v2/mobilenet_v2.onnx", new long[] {1, 3, 224, 224}, 40)),
                  intArg(args, 1, 100),
                  threads));
      case "calibration" ->
          CalibrationBench.print(
              CalibrationBench.run(
                  repo,
                  List.of(
                      new QuantizeBench.Subject(
                          "large/resnet18/resnet18.onnx",
                          new long[] {1, 3, 224, 224},
                          intArg(args, 1, 40)),
                      new QuantizeBench.Subject(
                          "large/mobilenet_v2/mobilenet_v2.onnx",
                          new long[] {1, 3, 224, 224},
                          intArg(args, 1, 40))),
                  List.of(
                      dev.kiln.compiler.quant.CalibrationMethod.MINMAX,
                      dev.kiln.compiler.quant.CalibrationMethod.PERCENTILE,
                      dev.kiln.compiler.quant.CalibrationMethod.percentile(99.9))));
      case "torch-paths" ->
          TorchPathsBench.print(
              TorchPathsBench.run(
                  repo,
                  List.of("cnn/cnn.pt", "large/mobilenet_v2/mobilenet_v2.pt"),
                  intArg(args, 1, 100),
                  threads));
      default ->
          throw new IllegalArgumentException(
              "unknown benchmark '"
                  + which
                  + "'; try: compile, quantize, calibration, torch-paths, agent-overhead, agent-decode, agent-throughput, oip, peer, agent-batching,"
                  + " agent-autoscale, agent-device-jvm, agent-classlist,"
                  + " agent-footprint,"
                  + " model-load, runner-overhead,"
                  + " capture, capture-stores [RECORDS], capture-outbox, capture-sync, fleet-rollout, http-servers [SECONDS] [--quick],"
                  + " monitor-check [RECORDS] [ROUNDS], cloud-api [DEVICES] [LIMIT] [ROUNDS]");
    }
  }

  private static int intArg(String[] args, int i, int fallback) {
    return args.length > i ? Integer.parseInt(args[i]) : fallback;
  }

  /** Every argument after the benchmark's name, as a number. */
  private static List<Integer> sizes(String[] args, List<Integer> fallback) {
    if (args.length < 2) {
      return fallback;
    }
    return java.util.Arrays.stream(args, 1, args.length).map(Integer::valueOf).toList();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void printCompile(List<CompileBench.Row> rows) {
    System.out.println(
        "| model | baseline | baseline p50 ms | compiled p50 ms | p50 ratio | baseline p95 ms | compiled p95 ms | p95 ratio |");
    System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
    for (CompileBench.Row r : rows) {
      System.out.printf(
          "| %s | %s | %.3f | %.3f | %.2fx | %.3f | %.3f | %.2fx |%n",
          r.model(),
          r.baseline(),
          r.base().p50(),
          r.compiled().p50(),
          r.compiled().p50() / r.base().p50(),
          r.base().p95(),
          r.compiled().p95(),
          r.compiled().p95() / r.base().p95());
    }
    System.out.println();
    System.out.println(
        "| model | load p50 ms, source at ORT defaults | load p50 ms, compiled | ratio |");
    System.out.println("|---|---:|---:|---:|");
    for (CompileBench.LoadRow l : CompileBench.LOADS) {
      System.out.printf(
          "| %s | %.2f | %.2f | %.2fx |%n",
          l.model(),
          l.sourceDefaults().p50(),
          l.compiled().p50(),
          l.compiled().p50() / l.sourceDefaults().p50());
    }
  }
}
