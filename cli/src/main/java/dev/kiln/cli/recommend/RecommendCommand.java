package dev.kiln.cli.recommend;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import dev.kiln.error.ExitCode;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.cli.ConsoleOptions;
import dev.kiln.fleet.cli.FleetExit;
import dev.kiln.link.protocol.BenchmarkPayload;
import dev.kiln.link.protocol.BenchmarkReport;
import dev.kiln.link.protocol.CommandReply;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ServingConfigPayload;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code kiln recommend}: measures serving configurations where the model will serve (this host, or
 * a device through the fleet) and recommends one for a latency or throughput objective, with the
 * {@code agent.json} snippet that applies it. Progress goes to stderr, the table (or {@code
 * --json}) to stdout.
 */
@Command(
    name = "recommend",
    mixinStandardHelpOptions = true,
    description =
        "Benchmark serving configurations (threads, predictors, batching, clients; fp32 and int8"
            + " artifacts) on this host or on a device, and recommend one.")
public final class RecommendCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "ARTIFACT",
      description =
          "With --local: .kiln files (or artifact directories), e.g. an fp32 and an int8 build."
              + " With --device: installed models as MODEL or MODEL@VERSION (MODEL alone: the"
              + " version it serves)")
  List<String> artifacts;

  @ArgGroup(exclusive = true, multiplicity = "1")
  Where where;

  /** Exactly one place to measure. */
  static final class Where {
    @Option(names = "--local", description = "Measure on this host, in this process")
    boolean local;

    @Option(
        names = "--device",
        paramLabel = "D",
        description = "Measure on device D, through the fleet's signed benchmark command")
    String device;
  }

  @ArgGroup(exclusive = true)
  Goal goal;

  /** At most one objective; the highest throughput when none is given. */
  static final class Goal {
    @Option(
        names = "--max-p95",
        paramLabel = "MS",
        description = "Recommend the highest throughput whose p95 latency is at most MS")
    Double maxP95;

    @Option(names = "--max-throughput", description = "Recommend the highest throughput (default)")
    boolean maxThroughput;
  }

  @Option(names = "--json", description = "Print the report and recommendation as JSON")
  boolean json;

  @Option(
      names = "--apply",
      description =
          "With --device: apply the recommendation through the fleet (a signed config command;"
              + " the device keeps it in its state and reloads the model with it)")
  boolean apply;

  @Mixin GridOptions grid;
  @Mixin BudgetOptions budget;
  @Mixin ConsoleOptions console;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    return FleetExit.run(
        err,
        () -> {
          Objective objective =
              goal == null || goal.maxP95 == null
                  ? Objective.MAX_THROUGHPUT
                  : Objective.maxP95(goal.maxP95);
          if (where.local) {
            if (apply) {
              throw new FleetException(
                  FleetErrorCode.CONFIG_INVALID,
                  "--apply needs --device; on this host, put the printed snippet in agent.json");
            }
            List<Path> files = artifacts.stream().map(Path::of).toList();
            BenchmarkReport report = LocalBenchmark.run(files, grid.configs(), budget.asked(), err);
            return print(report, objective, out);
          }
          BenchmarkPayload payload =
              new BenchmarkPayload(targets(artifacts), grid.configs(), budget.asked());
          try (DeviceSession session = new DeviceSession(console.config(err), where.device, err)) {
            DeviceSession.Outcome outcome = session.benchmark(payload);
            if (outcome.report() == null) {
              err.println(refused(outcome.refusal()));
              return ExitCode.NOT_SUCCEEDED.number();
            }
            int code = print(outcome.report(), objective, out);
            if (!apply || code != ExitCode.OK.number()) {
              return code;
            }
            BenchmarkReport.Row best =
                Recommender.choose(outcome.report().rows(), objective).orElseThrow();
            CommandReply applied =
                session.apply(
                    new ServingConfigPayload(
                        best.model(),
                        best.config().threads(),
                        best.config().predictors(),
                        best.config().maxBatchSize()));
            if (applied.status() != CommandReply.Status.SUCCEEDED) {
              err.println(refused(applied));
              return ExitCode.NOT_SUCCEEDED.number();
            }
            (json ? err : out).println("Applied on " + where.device + ": " + applied.message());
            return ExitCode.OK.number();
          }
        });
  }

  private String refused(CommandReply r) {
    return where.device
        + " "
        + r.status()
        + (r.code() == null ? "" : " " + r.code())
        + ": "
        + r.message();
  }

  /** {@code MODEL} or {@code MODEL@VERSION}. */
  static List<BenchmarkPayload.Target> targets(List<String> names) {
    List<BenchmarkPayload.Target> out = new ArrayList<>();
    for (String n : names) {
      int at = n.indexOf('@');
      out.add(
          at < 0
              ? new BenchmarkPayload.Target(n, null)
              : new BenchmarkPayload.Target(n.substring(0, at), n.substring(at + 1)));
    }
    return out;
  }

  private int print(BenchmarkReport report, Objective objective, PrintWriter out) {
    Optional<BenchmarkReport.Row> best = Recommender.choose(report.rows(), objective);
    if (json) {
      ObjectNode root = Json.MAPPER.createObjectNode();
      root.putObject("objective")
          .put("maxThroughput", objective.maxP95Ms() == null)
          .put("maxP95Ms", objective.maxP95Ms());
      root.set("report", ProtocolJson.mapper().valueToTree(report));
      root.set(
          "recommended",
          best.map(
                  r ->
                      (com.fasterxml.jackson.databind.JsonNode)
                          ProtocolJson.mapper().valueToTree(r))
              .orElse(null));
      root.set(
          "agentConfig",
          best.map(
                  r ->
                      (com.fasterxml.jackson.databind.JsonNode) ConfigSnippet.of(r, report.cores()))
              .orElse(null));
      out.println(root.toPrettyString());
      return best.isPresent() ? ExitCode.OK.number() : ExitCode.NOT_SUCCEEDED.number();
    }
    out.println(
        report.host() + " (" + report.cores() + " cores): " + report.rows().size() + " rows");
    out.print(ReportTable.render(report, best.orElse(null)));
    out.println();
    if (best.isEmpty()) {
      out.println("No configuration meets " + objective.describe() + ".");
      Recommender.lowestP95(report.rows())
          .ifPresent(r -> out.println("The lowest p95 measured: " + r.summary()));
      return ExitCode.NOT_SUCCEEDED.number();
    }
    BenchmarkReport.Row r = best.get();
    out.println(
        String.format(
            Locale.ROOT,
            "Recommended (* above) for %s: %s (%s) with threads.inference %d, threads.predictors"
                + " %d, batching %s; measured at %d clients: %.1f req/s, p95 %s ms.",
            objective.describe(),
            r.artifact(),
            r.precision(),
            r.config().threads(),
            r.config().predictors(),
            r.config().batching() ? "maxBatchSize " + r.config().maxBatchSize() : "off",
            r.config().concurrency(),
            r.throughput(),
            ReportTable.fmt(r.p95Ms())));
    out.println("Apply it in the agent's agent.json (threads are agent-wide) and restart it:");
    out.println(ConfigSnippet.of(r, report.cores()).toPrettyString());
    return ExitCode.OK.number();
  }
}
