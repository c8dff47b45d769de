package dev.kiln.fleet.simulate;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Starts many {@link SimulatedDevice}s, one MQTT connection each. */
public final class FleetSimulator implements AutoCloseable {
  /** What to simulate: {@code count} devices named {@code prefix-1..N}. */
  public record Spec(
      String brokerUrl,
      String prefix,
      int count,
      String profile,
      List<String> groups,
      Path dataDir,
      Map<String, PublicKey> commandKeys,
      Map<String, PublicKey> artifactKeys,
      Map<String, String> models,
      SimBehavior behavior,
      Duration heartbeat) {}

  private final List<SimulatedDevice> devices;

  private FleetSimulator(List<SimulatedDevice> devices) {
    this.devices = devices;
  }

  public static FleetSimulator start(Spec spec) {
    List<SimulatedDevice> devices = new ArrayList<>();
    for (int i = 1; i <= spec.count(); i++) {
      String id = spec.prefix() + "-" + i;
      SimulatedDevice d =
          new SimulatedDevice(
              new SimConfig(
                  id,
                  spec.brokerUrl(),
                  spec.profile(),
                  spec.groups(),
                  spec.dataDir().resolve(id),
                  spec.commandKeys(),
                  spec.artifactKeys(),
                  spec.models(),
                  spec.behavior(),
                  spec.heartbeat()));
      devices.add(d);
      d.start();
    }
    return new FleetSimulator(devices);
  }

  public List<SimulatedDevice> devices() {
    return List.copyOf(devices);
  }

  public long connected() {
    return devices.stream().filter(SimulatedDevice::connected).count();
  }

  /** Waits until every device is connected; returns false at the deadline. */
  public boolean awaitConnected(Duration max) throws InterruptedException {
    long end = System.nanoTime() + max.toNanos();
    while (connected() < devices.size()) {
      if (System.nanoTime() > end) {
        return false;
      }
      Thread.sleep(100);
    }
    return true;
  }

  @Override
  public void close() {
    devices.parallelStream().forEach(SimulatedDevice::close);
  }
}
