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
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * {@code kiln recommend --device D}: runs a fleet console in this process (as {@code kiln fleet
 * deploy} does), sends one signed {@code benchmark} command to the device, prints its progress
 * replies and returns the report from its SUCCEEDED reply.
 */
final class DeviceBenchmark {
  /** What the device may take beyond its budget: loads, replies, the broker round trip. */
  private static final Duration SLACK = Duration.ofSeconds(60);

  private static final Duration ONLINE_WAIT = Duration.ofSeconds(20);

  private DeviceBenchmark() {}

  /** The device's answer: the report when it succeeded, else the final reply that refused it. */
  record Outcome(BenchmarkReport report, CommandReply refusal) {}

  static Outcome run(
      ConsoleConfig config, String device, BenchmarkPayload payload, PrintWriter progress)
      throws InterruptedException {
    BenchmarkPayload.Budget budget =
        BenchmarkBudget.orDefaults(payload.budget(), BenchmarkBudget.DEVICE_DEFAULT);
    Duration wait = Duration.ofMillis((long) (budget.maxSeconds() * 1000)).plus(SLACK);
    try (FleetConsole console = new FleetConsole(config)) {
      console.start();
      awaitOnline(console, device);
      BlockingQueue<CommandReply> replies = new LinkedBlockingQueue<>();
      List<BenchmarkPayload.Target> targets = payload.artifacts();
      String id =
          console.send(
              device,
              BenchmarkPayload.TYPE,
              payload,
              String.join(",", targets.stream().map(BenchmarkPayload.Target::model).toList()),
              String.join(
                  ",",
                  targets.stream()
                      .map(t -> t.version() == null ? "serving" : t.version())
                      .toList()),
              replies::add);
      progress.println("benchmark " + id + " sent to " + device);
      progress.flush();
      long end = System.nanoTime() + wait.toNanos();
      while (true) {
        long left = end - System.nanoTime();
        CommandReply r = left > 0 ? replies.poll(left, TimeUnit.NANOSECONDS) : null;
        if (r == null) {
          throw new FleetException(
              FleetErrorCode.TRANSFER_FAILED,
              device + " sent no final reply within " + wait.toSeconds() + " s");
        }
        switch (r.status()) {
          case ACCEPTED -> progress.println(device + " accepted the benchmark");
          case IN_PROGRESS -> progress.println("[" + r.progress() + "%] " + r.message());
          case SUCCEEDED -> {
            progress.println(device + ": " + r.message());
            progress.flush();
            if (r.result() == null) {
              throw new FleetException(
                  FleetErrorCode.CONFIG_INVALID,
                  device + " answered without a result; its agent predates benchmark results");
            }
            return new Outcome(
                ProtocolJson.mapper().treeToValue(r.result(), BenchmarkReport.class), null);
          }
          default -> {
            return new Outcome(null, r);
          }
        }
        progress.flush();
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID, "the device's benchmark result does not parse: " + e);
    }
  }

  private static void awaitOnline(FleetConsole console, String device) throws InterruptedException {
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
            + " is not online at "
            + "the broker (kiln fleet devices lists the devices the console knows)");
  }
}
