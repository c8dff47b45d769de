package dev.kiln.fleet.simulate;

import dev.kiln.link.protocol.Topics;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Simulates a fleet: {@code count} {@link SimulatedDevice}s multiplexed over {@link
 * SharedConnection}s of {@code devicesPerConnection} devices each, all working on one small pool of
 * threads. 10,000 devices at 250 per connection are 40 connections and about 200 threads (Paho's
 * four and the transport's one per connection, plus the pool), where a connection per device needed
 * 60,000 threads and 10,000 sockets. See {@link SharedConnection} for what multiplexing changes on
 * the wire (the last will).
 */
public final class FleetSimulator implements AutoCloseable {
  public static final int DEFAULT_DEVICES_PER_CONNECTION = 250;
  public static final int DEFAULT_WORK_THREADS = 4;

  /**
   * What to simulate: {@code count} devices named {@code prefix-1..N}.
   *
   * @param devicesPerConnection devices sharing one MQTT connection; 1 gives each device its own,
   *     with its client id and last will, as agents have
   * @param workThreads the pool every device's work runs on (downloads write and fsync files, so a
   *     few more than the cores keep the CPUs busy)
   */
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
      Duration heartbeat,
      int devicesPerConnection,
      int workThreads) {
    public Spec {
      require(count >= 1, "devices must be at least 1, got " + count);
      // Fails here, naming the rule, rather than in every device's first publish.
      Topics.requireDeviceId(prefix + "-" + count);
      require(
          devicesPerConnection >= 1,
          "devices per connection must be at least 1, got " + devicesPerConnection);
      require(workThreads >= 1, "work threads must be at least 1, got " + workThreads);
      require(
          heartbeat != null && !heartbeat.isNegative() && !heartbeat.isZero(),
          "heartbeat must be a positive duration, got " + heartbeat);
    }

    /** Connections needed: {@code count} devices, {@code devicesPerConnection} on each. */
    public int connections() {
      return (count + devicesPerConnection - 1) / devicesPerConnection;
    }

    private static void require(boolean ok, String message) {
      if (!ok) {
        throw new IllegalArgumentException(message);
      }
    }
  }

  private final List<SharedConnection> connections;
  private final List<SimulatedDevice> devices;
  private final ScheduledExecutorService threads;

  private FleetSimulator(
      List<SharedConnection> connections,
      List<SimulatedDevice> devices,
      ScheduledExecutorService threads) {
    this.connections = connections;
    this.devices = devices;
    this.threads = threads;
  }

  /** Creates every device, then connects; returns at once (see {@link #awaitConnected}). */
  public static FleetSimulator start(Spec spec) {
    DeviceProfile profile = DeviceProfiles.fromClasspath().get(spec.profile());
    ScheduledExecutorService threads = pool(spec.workThreads());
    List<SharedConnection> connections = new ArrayList<>();
    List<SimulatedDevice> devices = new ArrayList<>();
    for (int c = 0; c < spec.connections(); c++) {
      int first = c * spec.devicesPerConnection() + 1;
      int last = Math.min(spec.count(), first + spec.devicesPerConnection() - 1);
      // A connection of one device takes the device's id, as an agent's connection does.
      String clientId = first == last ? deviceId(spec, first) : spec.prefix() + "-conn-" + (c + 1);
      SharedConnection connection = new SharedConnection(spec.brokerUrl(), clientId, threads);
      for (int i = first; i <= last; i++) {
        SimulatedDevice d = new SimulatedDevice(config(spec, i), profile, threads, connection);
        d.start();
        devices.add(d);
      }
      connections.add(connection);
    }
    connections.forEach(SharedConnection::start);
    return new FleetSimulator(connections, devices, threads);
  }

  private static String deviceId(Spec spec, int i) {
    return spec.prefix() + "-" + i;
  }

  private static SimConfig config(Spec spec, int i) {
    String id = deviceId(spec, i);
    return new SimConfig(
        id,
        spec.brokerUrl(),
        spec.profile(),
        spec.groups(),
        spec.dataDir().resolve(id),
        spec.commandKeys(),
        spec.artifactKeys(),
        spec.models(),
        spec.behavior(),
        spec.heartbeat());
  }

  private static ScheduledExecutorService pool(int size) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newScheduledThreadPool(
        size,
        r -> {
          Thread t = new Thread(r, "sim-work-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  public List<SimulatedDevice> devices() {
    return List.copyOf(devices);
  }

  /** MQTT connections the devices share. */
  public int connections() {
    return connections.size();
  }

  /** Devices whose connection is up. */
  public long connected() {
    return connections.stream()
        .filter(SharedConnection::connected)
        .mapToLong(SharedConnection::devices)
        .sum();
  }

  /** Waits until every device's connection is up; returns false at the deadline. */
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

  /** Every device says goodbye (a retained shutdown status), then the connections close. */
  @Override
  public void close() {
    connections.parallelStream().forEach(SharedConnection::close);
    threads.shutdownNow();
  }
}
