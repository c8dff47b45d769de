package dev.kiln.fleet.replica;

import dev.kiln.fleet.console.ConsoleConfig;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.postgres.LeaderLease;
import dev.kiln.fleet.postgres.PostgresFleetState;
import dev.kiln.fleet.postgres.PostgresUrl;
import dev.kiln.link.protocol.InboundMessage;
import dev.kiln.link.transport.TransportConfig;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of several {@code kiln fleet serve --store postgresql://...} processes: every {@link #RENEW}
 * it tries to take the leader lease ({@link #LEASE} long) or renews the one it holds. Only the
 * leader runs a {@link FleetConsole}, on state fenced by its epoch; it resumes every running
 * deployment from what the database holds, first handing its console the replies it heard while
 * following. A leader that cannot renew, or whose write was fenced, closes its console at once. A
 * killed leader is replaced once its lease expires: within {@link #LEASE} + {@link #RENEW}.
 */
public final class ConsoleReplica implements AutoCloseable {
  /** How long a leader's lease lasts without renewal. */
  public static final Duration LEASE = Duration.ofSeconds(10);

  /** How often the lease is renewed (leader) or tried (followers). */
  public static final Duration RENEW = Duration.ofSeconds(3);

  private static final Logger LOG = LoggerFactory.getLogger(ConsoleReplica.class);

  /**
   * Told when this replica starts and stops leading, on the replica's own thread, so a host can run
   * what belongs to the leader beside the console (the cloud service's inbox worker and the API
   * routes that need the live console). {@link #leading} runs after the console started and before
   * the next renewal; {@link #following} runs before the console closes.
   */
  public interface Listener {
    void leading(FleetConsole console, LeaderLease.Fence fence);

    void following();

    Listener NONE =
        new Listener() {
          @Override
          public void leading(FleetConsole console, LeaderLease.Fence fence) {}

          @Override
          public void following() {}
        };
  }

  private final ConsoleConfig config;
  private final PostgresUrl url;
  private final String holder;
  private final LeaderLease lease;
  private final ReplyWitness witness;
  private final PrintWriter out;
  private final ScheduledExecutorService beat;
  private final Listener listener;
  private FleetConsole console;
  private LeaderLease.Fence fence;
  private long renewedAt;

  public ConsoleReplica(ConsoleConfig config, PostgresUrl url, PrintWriter out) {
    this(config, url, out, Listener.NONE);
  }

  public ConsoleReplica(ConsoleConfig config, PostgresUrl url, PrintWriter out, Listener listener) {
    this.listener = listener;
    this.holder = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
    // Each replica needs its own MQTT client id, or the broker would drop one for the other.
    this.config = config.withClientId(config.clientId() + "-" + holder.replace('@', '-'));
    this.url = url;
    this.out = out;
    this.lease = new LeaderLease(url, LEASE);
    TransportConfig.Builder link =
        TransportConfig.builder(config.brokerUrl(), this.config.clientId() + "-witness");
    if (config.tls() != null) {
      link.tls(config.tls().caFile(), config.tls().certFile(), config.tls().keyFile());
    }
    this.witness = new ReplyWitness(link.build());
    this.beat =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "kiln-replica");
              t.setDaemon(true);
              return t;
            });
  }

  public String holder() {
    return holder;
  }

  /** Checks the database now (a wrong --store fails here, not later in a log), then runs. */
  public void start() {
    lease.current();
    witness.start();
    beat.scheduleWithFixedDelay(this::beat, 0, RENEW.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True while this replica runs the console. */
  public synchronized boolean leading() {
    return console != null;
  }

  private synchronized void beat() {
    try {
      if (console == null) {
        lead();
      } else if (console.fenced() || !lease.renew(fence)) {
        stepDown("lost the leader lease");
      } else {
        renewedAt = System.nanoTime();
      }
    } catch (RuntimeException e) {
      LOG.warn("replica {}: {}", holder, e.getMessage());
      // Unsure whether it still holds the lease: stop acting before another may have taken it.
      if (console != null && System.nanoTime() - renewedAt > (LEASE.minus(RENEW)).toNanos()) {
        stepDown("could not renew the lease in time");
      }
    }
  }

  private void lead() {
    OptionalLong epoch = lease.tryAcquire(holder);
    if (epoch.isEmpty()) {
      return;
    }
    fence = new LeaderLease.Fence(holder, epoch.getAsLong());
    renewedAt = System.nanoTime();
    FleetConsole c;
    try {
      c = new FleetConsole(config, PostgresFleetState.forLeader(url, fence));
    } catch (RuntimeException e) {
      // Hand the lease on at once rather than hold it, console-less, until it expires.
      lease.release(fence);
      throw e;
    }
    List<InboundMessage> heard = witness.recent();
    for (InboundMessage m : heard) {
      c.accept(m);
    }
    c.start();
    console = c;
    try {
      listener.leading(c, fence);
    } catch (RuntimeException e) {
      stepDown("could not start what the leader runs: " + e.getMessage());
      lease.release(fence);
      throw e;
    }
    say(
        "leading as "
            + holder
            + " (epoch "
            + fence.epoch()
            + "); handed the console "
            + heard.size()
            + " device replies heard while following; re-sent "
            + c.resentOnStart()
            + " unanswered command(s) under their own ids");
  }

  private void stepDown(String why) {
    say("following: " + why + " (was epoch " + fence.epoch() + ")");
    FleetConsole c = console;
    console = null;
    try {
      listener.following();
    } finally {
      c.close();
    }
  }

  private void say(String line) {
    LOG.info(line);
    out.println(line);
    out.flush();
  }

  @Override
  public void close() {
    beat.shutdownNow();
    synchronized (this) {
      if (console != null) {
        try {
          listener.following();
        } catch (RuntimeException e) {
          LOG.warn("stopping what the leader runs failed: {}", e.getMessage());
        }
        console.close();
        console = null;
        try {
          lease.release(fence); // a clean stop hands over at once instead of after the lease
        } catch (RuntimeException e) {
          LOG.warn("cannot release the lease: {}", e.getMessage());
        }
      }
    }
    witness.close();
    lease.close();
  }
}
