package dev.kiln.agent.cli;

import dev.kiln.agent.Agent;
import dev.kiln.agent.cds.BackgroundRefresh;
import dev.kiln.agent.cloud.CloudLink;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigLoader;
import dev.kiln.agent.feedback.FeedbackSink;
import dev.kiln.agent.serving.ServedTrafficSink;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code kiln-agent run --config agent.json}: serve until SIGTERM/SIGINT, then drain in-flight
 * requests, unload models and exit 0.
 */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Serve models over HTTP.")
public final class RunCommand implements Callable<Integer> {
  @Option(
      names = "--config",
      required = true,
      description = "Agent config (JSON); see docs/agent.md.")
  Path config;

  /** For picocli, which sets {@link #config}. */
  public RunCommand() {}

  /** For {@link DirectRun}. */
  RunCommand(Path config) {
    this.config = config;
  }

  @Override
  public Integer call() throws Exception {
    AgentConfig cfg = ConfigLoader.load(config);
    // The link starts first so capture from the very first request is kept; it connects in the
    // background and never delays serving.
    CloudLink cloud = cfg.cloud().enabled() ? CloudLink.start(cfg) : null;
    Agent agent =
        Agent.start(
            cfg,
            cloud == null ? ServedTrafficSink.NOOP : cloud.sink(),
            cloud == null ? FeedbackSink.NONE : cloud.feedback());
    if (cloud != null) {
      cloud.attach(agent);
    }
    // After the first model is served: a missing or stale class-data archive is rebuilt for the
    // next start, never in the way of this one.
    BackgroundRefresh.startIfStale();
    CountDownLatch stopped = new CountDownLatch(1);
    AtomicBoolean closing = new AtomicBoolean();
    Runnable stop =
        () -> {
          if (closing.compareAndSet(false, true)) {
            agent.close();
            if (cloud != null) {
              cloud.close();
            }
            stopped.countDown();
          }
        };
    Signals.onTerminate(stop);
    // Fallback for exits that are not signals (System.exit elsewhere, -Xrs).
    Runtime.getRuntime().addShutdownHook(new Thread(stop, "kiln-agent-shutdown"));
    stopped.await();
    return 0;
  }
}
