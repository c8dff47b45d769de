package dev.kiln.agent.fleet;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.benchmark.Benchmark;
import dev.kiln.agent.benchmark.BenchmarkBudget;
import dev.kiln.agent.benchmark.Candidate;
import dev.kiln.agent.benchmark.ProductionGate;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.link.command.Replier;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.BenchmarkReport;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's side of a {@code benchmark} command: measure installed versions under the command's
 * configurations (or the default grid) with {@link Benchmark}, beside production and within the
 * budget, and answer with the {@link BenchmarkReport} in the SUCCEEDED reply's {@code result}.
 *
 * <p>It runs on its own thread, not the command thread, so a deploy arriving meanwhile is not held
 * up for minutes; one benchmark at a time (a second one is REJECTED with {@code BUSY}). Its load
 * yields to production: no benchmark request starts while an HTTP request is in flight.
 */
final class FleetBenchmarks {
  private static final Logger LOG = LoggerFactory.getLogger(FleetBenchmarks.class);

  private final String deviceId;
  private final ModelManager models;
  private final ProductionGate gate;
  private final int cores;
  private final AtomicBoolean running = new AtomicBoolean();

  FleetBenchmarks(String deviceId, ModelManager models, ProductionGate gate, int cores) {
    this.deviceId = deviceId;
    this.models = models;
    this.gate = gate;
    this.cores = cores;
  }

  void handle(Command command, Replier reply) {
    BenchmarkPayload p;
    try {
      p = ProtocolJson.payload(command.payload(), BenchmarkPayload.class);
    } catch (Exception e) {
      reply.rejected(ReplyCode.INVALID_COMMAND, "benchmark payload does not parse: " + e);
      return;
    }
    BenchmarkPayload.Budget budget =
        BenchmarkBudget.orDefaults(p.budget(), BenchmarkBudget.DEVICE_DEFAULT);
    List<String> problems = BenchmarkBudget.problems(budget);
    if (p.artifacts() == null || p.artifacts().isEmpty()) {
      problems = new ArrayList<>(problems);
      problems.add("artifacts must name at least one installed model (version optional)");
    }
    if (!problems.isEmpty()) {
      reply.rejected(ReplyCode.INVALID_COMMAND, String.join("; ", problems));
      return;
    }
    List<Candidate> candidates = new ArrayList<>();
    for (BenchmarkPayload.Target t : p.artifacts()) {
      try {
        candidates.add(candidate(t));
      } catch (AgentException e) {
        reply.rejected(ReplyCode.INVALID_COMMAND, e.getMessage());
        return;
      }
    }
    if (!running.compareAndSet(false, true)) {
      reply.rejected(ReplyCode.BUSY, "a benchmark is already running on this device");
      return;
    }
    Benchmark bench = new Benchmark(models.runners(), gate, budget, cores);
    List<BenchmarkPayload.Config> configs =
        p.configs() == null || p.configs().isEmpty() ? bench.defaultGrid(candidates) : p.configs();
    reply.accept();
    Thread worker =
        new Thread(() -> run(command, bench, candidates, configs, reply), "kiln-benchmark");
    worker.setDaemon(true);
    worker.start();
  }

  private void run(
      Command command,
      Benchmark bench,
      List<Candidate> candidates,
      List<BenchmarkPayload.Config> configs,
      Replier reply) {
    try {
      LOG.info(
          "benchmark {}: {} configurations of {}",
          command.id(),
          configs.size(),
          candidates.stream().map(c -> c.model() + "@" + c.version()).toList());
      BenchmarkReport report =
          bench.run(
              deviceId,
              candidates,
              configs,
              (done, total, row) -> reply.progress(done * 100 / total, row.summary()));
      long measured = report.rows().stream().filter(BenchmarkReport.Row::measured).count();
      reply.succeeded(
          "measured " + measured + " of " + report.rows().size() + " configurations", report);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      reply.failed(ReplyCode.INTERNAL_ERROR, "benchmark interrupted");
    } catch (RuntimeException e) {
      LOG.warn("benchmark {} failed", command.id(), e);
      reply.failed(ReplyCode.INTERNAL_ERROR, "benchmark failed: " + e.getMessage());
    } finally {
      running.set(false);
    }
  }

  /** The version named, or the model's first production version when none is. */
  private Candidate candidate(BenchmarkPayload.Target t) {
    if (t.model() == null) {
      throw new AgentException(
          dev.kiln.agent.AgentErrorCode.MODEL_NOT_FOUND, "a benchmark artifact names no model");
    }
    String version = t.version();
    if (version == null) {
      InstalledModel state = models.requireModel(t.model());
      if (state.production().isEmpty()) {
        throw new AgentException(
            dev.kiln.agent.AgentErrorCode.VERSION_NOT_FOUND,
            "model '" + t.model() + "' serves no version; name the version to benchmark");
      }
      version = state.production().get(0).version();
    }
    var stored = models.stored(t.model(), version);
    return new Candidate(stored.name(), stored.version(), stored.artifact());
  }
}
