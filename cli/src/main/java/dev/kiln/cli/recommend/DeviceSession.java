package dev.kiln.cli.recommend;

import dev.kiln.agent.benchmark.BenchmarkBudget;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.BenchmarkReport;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ServingConfigPayload;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code kiln recommend --device D}: a fleet console in this process (as {@code kiln fleet deploy}
 * runs one, holding the state dir's lock), which sends the device one signed {@code benchmark}
 * command, prints its progress replies and returns the report from its SUCCEEDED reply; with {@code
 * --apply}, then a {@code config} command with the recommended settings.
 */
final class DeviceSession implements AutoCloseable {
  /** What the device may take beyond its budget: loads, replies, the broker round trip. */
  private static final Duration SLACK = Duration.ofSeconds(60);

  private static final Duration ONLINE_WAIT = Duration.ofSeconds(20);

  /** A reload of the model's serving versions, at most. */
  private static final Duration APPLY_WAIT = Duration.ofMinutes(5);

  private final FleetConsole console;
  private final String device;
  private final PrintWriter progress;

  /** The device's answer: the report when it succeeded, else the final reply that refused it. */
  record Outcome(BenchmarkReport report, CommandReply refusal) {}

  DeviceSession(ConsoleConfig config, String device, PrintWriter progress)
      throws InterruptedException {
    this.console = new FleetConsole(config);
    this.device = device;
    this.progress = progress;
    try {
      console.start();
      awaitOnline();
    } catch (RuntimeException | InterruptedException e) {
      console.close();
      throw e;
    }
  }

  Outcome benchmark(BenchmarkPayload payload) throws InterruptedException {
    BenchmarkPayload.Budget budget =
        BenchmarkBudget.orDefaults(payload.budget(), BenchmarkBudget.DEVICE_DEFAULT);
    List<BenchmarkPayload.Target> targets = payload.artifacts();
    CommandReply last =
        send(
            BenchmarkPayload.TYPE,
            payload,
            String.join(",", targets.stream().map(BenchmarkPayload.Target::model).toList()),
            String.join(
                ",",
                targets.stream().map(t -> t.version() == null ? "serving" : t.version()).toList()),
            Duration.ofMillis((long) (budget.maxSeconds() * 1000)).plus(SLACK));
    if (last.status() != CommandReply.Status.SUCCEEDED) {
      return new Outcome(null, last);
    }
    if (last.result() == null) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          device + " answered without a result; its agent predates benchmark results");
    }
    try {
      return new Outcome(
          ProtocolJson.mapper().treeToValue(last.result(), BenchmarkReport.class), null);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID, "the device's benchmark result does not parse: " + e);
    }
  }

  /** Sends the {@code config} command; returns its final reply. */
  CommandReply apply(ServingConfigPayload payload) throws InterruptedException {
    // The audit record has no field for settings; its version column says what was set.
    String settings =
        "settings:t"
            + payload.threads()
            + ",p"
            + payload.predictors()
            + ",b"
            + payload.maxBatchSize();
    return send(ServingConfigPayload.TYPE, payload, payload.model(), settings, APPLY_WAIT);
  }

  private CommandReply send(
      String type, Object payload, String model, String version, Duration wait)
      throws InterruptedException {
    BlockingQueue<CommandReply> replies = new LinkedBlockingQueue<>();
    String id = console.send(device, type, payload, model, version, replies::add);
    progress.println(type + " " + id + " sent to " + device);
    progress.flush();
    long end = System.nanoTime() + wait.toNanos();
    while (true) {
      long left = end - System.nanoTime();
      CommandReply r = left > 0 ? replies.poll(left, TimeUnit.NANOSECONDS) : null;
      if (r == null) {
        throw new FleetException(
            FleetErrorCode.TRANSFER_FAILED,
            device + " sent no final reply to " + type + " within " + wait.toSeconds() + " s");
      }
      switch (r.status()) {
        case ACCEPTED -> progress.println(device + " accepted the " + type);
        case IN_PROGRESS -> progress.println("[" + r.progress() + "%] " + r.message());
        default -> {
          if (r.status() == CommandReply.Status.SUCCEEDED) {
            progress.println(device + ": " + r.message());
          }
          progress.flush();
          return r;
        }
      }
      progress.flush();
    }
  }

  private void awaitOnline() throws InterruptedException {
    long end = System.nanoTime() + ONLINE_WAIT.toNanos();
    while (System.nanoTime() < end) {
      if (console.connected()
          && console.devices().stream().anyMatch(d -> d.deviceId().equals(device) && d.online())) {
        return;
      }
      Thread.sleep(100);
    }
    throw new FleetException(
        FleetErrorCode.NOT_FOUND,
        "device "
            + device
            + " is not online at the broker (kiln fleet devices lists the devices the console"
            + " knows)");
  }

  @Override
  public void close() {
    console.close();
  }
}
