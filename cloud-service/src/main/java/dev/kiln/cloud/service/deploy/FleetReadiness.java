package dev.kiln.cloud.service.deploy;

import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.state.DeviceRecord;
import java.time.Duration;
import java.util.List;

/**
 * Waits, once after the service starts, until the console hears the fleet again before the inbox
 * worker runs anything: connected and subscribed, the count of online devices steady, and online
 * devices past their first heartbeat (so a deploy knows what they ran before). Without it, a
 * request replayed at start would find every device offline and defer them all. Each wait is
 * bounded; a fleet that stays silent only delays the first request by {@link #MAX_WAIT}.
 */
public final class FleetReadiness implements Runnable {
  static final Duration MAX_WAIT = Duration.ofSeconds(30);
  static final long STEADY_MS = 1500;

  private final FleetConsole console;

  public FleetReadiness(FleetConsole console) {
    this.console = console;
  }

  @Override
  public void run() {
    long end = System.nanoTime() + MAX_WAIT.toNanos();
    try {
      while (!console.connected() && System.nanoTime() < end) {
        Thread.sleep(100);
      }
      long last = -1;
      while (System.nanoTime() < end) {
        List<DeviceRecord> all = console.devices();
        long online = all.stream().filter(DeviceRecord::online).count();
        boolean heard = all.stream().noneMatch(d -> d.online() && d.metricsAt() == 0);
        if (online == last && heard) {
          return;
        }
        last = online;
        Thread.sleep(STEADY_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
