package dev.kiln.bench.fleet;

import dev.kiln.bench.fleet.FleetRolloutBench.Rollout;
import dev.kiln.bench.fleet.FleetRolloutBench.Run;
import java.util.List;

/** Markdown tables of {@link FleetRolloutBench} runs; ratios are against the first size run. */
public final class FleetReport {
  private FleetReport() {}

  public static void print(List<Run> runs) {
    System.out.printf(
        "Simulator: %d devices per MQTT connection, %d work threads, %d s heartbeats;"
            + " artifact payload %d bytes (one chunk).%n%n",
        FleetRolloutBench.DEVICES_PER_CONNECTION,
        FleetRolloutBench.WORK_THREADS,
        FleetRolloutBench.HEARTBEAT_SECONDS,
        FleetRolloutBench.ARTIFACT_BYTES);
    System.out.println(
        "| store | devices | connections | all online, s | all-at-once, s | devices/s | "
            + FleetRolloutBench.CANARY
            + ", s | devices/s | end states |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for (Run r : runs) {
      System.out.printf(
          "| %s | %d | %d | %.1f | %.1f | %.0f | %.1f | %.0f | %s, %s |%n",
          r.store(),
          r.devices(),
          r.connections(),
          r.onlineSeconds(),
          r.allAtOnce().seconds(),
          r.allAtOnce().devicesPerSecond(),
          r.canary().seconds(),
          r.canary().devicesPerSecond(),
          r.allAtOnce().state(),
          r.canary().state());
    }
    System.out.println();
    cpu(runs);
    memory(runs);
    if (runs.stream().map(Run::store).distinct().count() > 1) {
      stores(runs);
    }
    ratios(runs);
    for (Run r : runs) {
      for (Rollout o : List.of(r.allAtOnce(), r.canary())) {
        if (!o.state().name().equals("SUCCEEDED")) {
          System.out.printf(
              "%d devices, %s: %s (%s)%n", r.devices(), o.strategy(), o.state(), o.reason());
        }
      }
    }
  }

  private static void cpu(List<Run> runs) {
    System.out.println(
        "| store | devices | rollout | CPU s console | CPU s simulator | CPU s Mosquitto | wall s |");
    System.out.println("|---|---:|---|---:|---:|---:|---:|");
    for (Run r : runs) {
      for (Rollout o : List.of(r.allAtOnce(), r.canary())) {
        System.out.printf(
            "| %s | %d | %s | %.1f | %.1f | %.1f | %.1f |%n",
            r.store(),
            r.devices(),
            o.strategy(),
            o.consoleCpu(),
            o.simulatorCpu(),
            o.brokerCpu(),
            o.seconds());
      }
    }
    System.out.println();
  }

  private static void memory(List<Run> runs) {
    System.out.println(
        "| store | devices | console heap after GC, MiB | console RSS, MiB | console peak RSS, MiB"
            + " | console threads | simulator RSS, MiB | simulator threads | Mosquitto RSS, MiB |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Run r : runs) {
      System.out.printf(
          "| %s | %d | %.1f (%.1f before) | %.0f (%.0f before) | %.0f | %d (%d before) | %.0f | %d |"
              + " %.0f |%n",
          r.store(),
          r.devices(),
          r.consoleHeapMiB(),
          r.baselineHeapMiB(),
          r.console().rssMiB(),
          r.baseline().rssMiB(),
          r.console().peakRssMiB(),
          r.console().threads(),
          r.baseline().threads(),
          r.simulator().rssMiB(),
          r.simulator().threads(),
          r.broker().rssMiB());
    }
    System.out.println();
  }

  /** PostgreSQL against files at each size both ran: rollout times and their ratio. */
  private static void stores(List<Run> runs) {
    System.out.println(
        "| devices | all-at-once files, s | all-at-once postgresql, s | ratio | canary files, s |"
            + " canary postgresql, s | ratio |");
    System.out.println("|---:|---:|---:|---:|---:|---:|---:|");
    for (Run f : runs) {
      for (Run p : runs) {
        if (f.store().equals("files")
            && p.store().equals("postgresql")
            && f.devices() == p.devices()) {
          System.out.printf(
              "| %d | %.1f | %.1f | %.2fx | %.1f | %.1f | %.2fx |%n",
              f.devices(),
              f.allAtOnce().seconds(),
              p.allAtOnce().seconds(),
              p.allAtOnce().seconds() / f.allAtOnce().seconds(),
              f.canary().seconds(),
              p.canary().seconds(),
              p.canary().seconds() / f.canary().seconds());
        }
      }
    }
    System.out.println();
  }

  private static void ratios(List<Run> all) {
    // Sizes against each other on one store (the first run's); stores are compared above.
    List<Run> runs = all.stream().filter(r -> r.store().equals(all.get(0).store())).toList();
    if (runs.size() < 2) {
      return;
    }
    Run base = runs.get(0);
    System.out.printf(
        "| devices | fleet vs %d | all online | all-at-once | canary | console heap above"
            + " baseline |%n",
        base.devices());
    System.out.println("|---:|---:|---:|---:|---:|---:|");
    for (Run r : runs.subList(1, runs.size())) {
      System.out.printf(
          "| %d | %.1fx | %.2fx | %.2fx | %.2fx | %.2fx |%n",
          r.devices(),
          (double) r.devices() / base.devices(),
          r.onlineSeconds() / base.onlineSeconds(),
          r.allAtOnce().seconds() / base.allAtOnce().seconds(),
          r.canary().seconds() / base.canary().seconds(),
          (r.consoleHeapMiB() - r.baselineHeapMiB())
              / (base.consoleHeapMiB() - base.baselineHeapMiB()));
    }
    System.out.println();
  }
}
