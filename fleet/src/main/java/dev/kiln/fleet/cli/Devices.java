package dev.kiln.fleet.cli;

import dev.kiln.fleet.console.FleetConsole;
import java.time.Duration;

/** Gives a freshly started console a moment to hear the retained device messages and heartbeats. */
final class Devices {
  private Devices() {}

  static void awaitKnown(FleetConsole console, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (!console.connected() && System.nanoTime() < end) {
      Thread.sleep(100);
    }
    // Retained status/info arrive right after the subscription; wait until the count settles.
    int last = -1;
    while (System.nanoTime() < end) {
      // Online (status seen) and with its profile and groups (info seen): targetable.
      int now =
          (int) console.devices().stream().filter(d -> d.online() && d.profile() != null).count();
      if (now == last && now > 0) {
        return;
      }
      last = now;
      Thread.sleep(300);
    }
  }

  /**
   * Waits, up to {@code max}, until every online device has told its models in a heartbeat (they
   * are not retained, so a freshly started console knows them only after one arrives). A deployment
   * records each target's current version to roll back to; planned before the first heartbeat, it
   * would take "no version" for the answer, and a rollback would remove the model instead.
   */
  static void awaitModels(FleetConsole console, Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < end
        && console.devices().stream().anyMatch(d -> d.online() && d.metricsAt() == 0)) {
      Thread.sleep(200);
    }
  }
}
