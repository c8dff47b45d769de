package dev.kiln.bench.capture;

import ai.onnxruntime.OrtSession;
import dev.kiln.bench.Interleave;
import dev.kiln.bench.Stats;
import dev.kiln.bench.agent.AgentSetup;
import dev.kiln.bench.agent.BenchModel;
import dev.kiln.bench.agent.InProcessAgent;
import dev.kiln.bench.agent.Invoker;
import dev.kiln.cloud.CloudService;
import dev.kiln.cloud.store.CaptureQueries;
import dev.kiln.compiler.ort.HostTensor;
import dev.kiln.compiler.ort.OrtSessions;
import dev.kiln.link.DeviceLink;
import dev.kiln.link.LinkConfig;
import dev.kiln.link.capture.CaptureConfig;
import dev.kiln.link.protocol.capture.CaptureRecord;
import dev.kiln.link.protocol.capture.CaptureTensor;
import dev.kiln.link.telemetry.AgentTelemetry;
import dev.kiln.testkit.Mosquitto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Capture cost, two ways. Delivery: records of the model's real tensors go through the device-link
 * recorder (disk outbox), Mosquitto on loopback and the ingestor into DuckDB; the rate is set
 * against the agent's own single-client serving rate, measured in the same run, to say whether
 * capture keeps up with serving. Serving: three agents in this JVM, capture off, capture at 100%
 * answering at once (durability async) and capture at 100% answering once the record is fsynced
 * (durability sync), take interleaved requests; their latencies are the ratios.
 */
public final class CaptureBench {
  /** Delivery of {@code records} records, and the serving rate it is compared with. */
  public record Delivery(
      String model, int records, int recordBytes, double seconds, double servingPerSecond) {
    public double perSecond() {
      return records / seconds;
    }
  }

  public record Result(Delivery delivery, Stats captureOff, Stats captureOn, Stats captureSync) {}

  private CaptureBench() {}

  public static Result run(Path repo, String relative, int records, int runs, int threads)
      throws Exception {
    Path work = Files.createTempDirectory("kiln-bench-capture");
    BenchModel model = BenchModel.compile(repo, relative, work);
    try (Mosquitto broker = Mosquitto.startInMemory(work.resolve("mosquitto"))) {
      Stats[] serving = serving(model, broker.url(), work, runs, threads);
      double servingRate = servingRate(model, work, threads);
      Delivery d = delivery(model, broker.url(), work, records, threads, servingRate);
      return new Result(d, serving[0], serving[1], serving[2]);
    }
  }

  private static Stats[] serving(
      BenchModel model, String brokerUrl, Path work, int runs, int threads) throws Exception {
    AgentSetup base = AgentSetup.of(model, threads, 1);
    try (InProcessAgent off = InProcessAgent.start(base, work.resolve("off"), "capture-off");
        InProcessAgent on =
            InProcessAgent.start(base.withCloud(brokerUrl, 100), work.resolve("on"), "capture-on");
        InProcessAgent sync =
            InProcessAgent.start(
                base.withCloud(brokerUrl, 100).withCaptureDurability("sync"),
                work.resolve("sync"),
                "capture-sync")) {
      for (int i = 0; i < 200 && !(on.cloudConnected() && sync.cloudConnected()); i++) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      if (!on.cloudConnected() || !sync.cloudConnected()) {
        throw new IllegalStateException("the capturing agents did not connect to " + brokerUrl);
      }
      Invoker a = new Invoker(off.baseUrl(), model.requestJson(), null);
      Invoker b = new Invoker(on.baseUrl(), model.requestJson(), null);
      Invoker c = new Invoker(sync.baseUrl(), model.requestJson(), null);
      return Interleave.run(List.of(a::invoke, b::invoke, c::invoke), runs);
    }
  }

  /** Single-client requests per second through an agent without capture, for 5 s. */
  private static double servingRate(BenchModel model, Path work, int threads) throws Exception {
    try (InProcessAgent agent =
        InProcessAgent.start(AgentSetup.of(model, threads, 1), work.resolve("rate"), "rate")) {
      Invoker invoker = new Invoker(agent.baseUrl(), model.requestJson(), null);
      for (int i = 0; i < 500; i++) {
        invoker.invoke();
      }
      long n = 0;
      long t = System.nanoTime();
      long end = t + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < end) {
        invoker.invoke();
        n++;
      }
      return n / ((System.nanoTime() - t) / 1e9);
    }
  }

  private static Delivery delivery(
      BenchModel model, String brokerUrl, Path work, int records, int threads, double servingRate)
      throws Exception {
    CaptureRecord template = template(model, threads);
    int bytes = 0;
    for (CaptureTensor t : template.inputs()) {
      bytes += t.dataBytes();
    }
    for (CaptureTensor t : template.outputs()) {
      bytes += t.dataBytes();
    }
    try (CloudService cloud =
            CloudService.start(
                new CloudService.Options(
                    brokerUrl,
                    work.resolve("cloud.duckdb"),
                    "127.0.0.1",
                    0,
                    work.resolve("broker"),
                    false,
                    "kiln-bench-ingest",
                    null,
                    null));
        DeviceLink link =
            DeviceLink.start(
                LinkConfig.builder("bench-device", brokerUrl, work.resolve("link"))
                    .captureQueue(records + 16)
                    .build(),
                () -> AgentTelemetry.empty("bench"))) {
      for (int i = 0; i < 200 && !link.connected(); i++) {
        TimeUnit.MILLISECONDS.sleep(50);
      }
      CaptureQueries queries = new CaptureQueries(cloud.store());
      CaptureConfig all = CaptureConfig.all();
      long t = System.nanoTime();
      for (int i = 0; i < records; i++) {
        // A fresh id each time: the cloud de-duplicates on it.
        link.recorder()
            .enqueue(
                all,
                CaptureRecord.of(
                    template.model(),
                    template.version(),
                    template.variant(),
                    template.latencyMs(),
                    template.inputs(),
                    template.outputs(),
                    false));
      }
      long deadline = t + TimeUnit.MINUTES.toNanos(5);
      long stored = 0;
      while (System.nanoTime() < deadline) {
        stored = count(queries);
        if (stored >= records) {
          break;
        }
        TimeUnit.MILLISECONDS.sleep(20);
      }
      double secs = (System.nanoTime() - t) / 1e9;
      if (stored < records) {
        throw new IllegalStateException(
            "only " + stored + " of " + records + " records stored within 5 minutes");
      }
      return new Delivery(model.name(), records, bytes, secs, servingRate);
    }
  }

  private static long count(CaptureQueries queries) {
    Object v = queries.query("SELECT count(*) AS n FROM captures").rows().get(0).get(0);
    return ((Number) v).longValue();
  }

  /** A record with the model's real sample input and output, as the agent would capture it. */
  private static CaptureRecord template(BenchModel model, int threads) throws Exception {
    List<CaptureTensor> in = new ArrayList<>();
    List<CaptureTensor> out = new ArrayList<>();
    try (OrtSession s =
        OrtSessions.open(model.artifact().payloadPath(), model.optLevel(), threads)) {
      for (Map.Entry<String, HostTensor> e : model.inputs().entrySet()) {
        in.add(tensor(e.getKey(), e.getValue()));
      }
      for (Map.Entry<String, HostTensor> e : OrtSessions.run(s, model.inputs()).entrySet()) {
        out.add(tensor(e.getKey(), e.getValue()));
      }
    }
    return CaptureRecord.of(model.name(), "1", "1", 0.1, in, out, false);
  }

  private static CaptureTensor tensor(String name, HostTensor t) {
    return t.values() instanceof float[] f
        ? CaptureTensor.ofFloats(name, t.shape(), f)
        : CaptureTensor.ofLongs(name, t.shape(), (long[]) t.values());
  }
}
