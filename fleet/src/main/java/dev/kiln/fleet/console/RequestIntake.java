package dev.kiln.fleet.console;

import dev.kiln.fleet.state.ConsoleRequest;
import dev.kiln.fleet.state.FleetState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The console's side of the request queue ({@link FleetState#submit}): polls it on the tick,
 * carries each request out once, and hands its id to the next write, which marks it done together
 * with its effect. A request that fails (a cancel of a finished deployment) is marked done with a
 * warning, so it does not fail again on every tick. On the console's event thread.
 */
final class RequestIntake {
  private static final Logger LOG = LoggerFactory.getLogger(RequestIntake.class);
  private static final long POLL_MS = 1000;

  private final FleetState state;
  private final Consumer<ConsoleRequest> carryOut;
  private final Set<String> taken = new HashSet<>();
  private final List<String> done = new ArrayList<>();
  private long lastPoll;

  RequestIntake(FleetState state, Consumer<ConsoleRequest> carryOut) {
    this.state = state;
    this.carryOut = carryOut;
  }

  void poll() {
    long now = System.currentTimeMillis();
    if (now - lastPoll < POLL_MS) {
      return;
    }
    lastPoll = now;
    for (ConsoleRequest r : state.pendingRequests()) {
      if (!taken.add(r.id())) {
        continue;
      }
      try {
        carryOut.accept(r);
      } catch (RuntimeException e) {
        LOG.warn(
            "request {} ({} {}) not carried out: {}",
            r.id(),
            r.kind(),
            r.deploymentId(),
            e.getMessage());
      }
      done.add(r.id());
    }
  }

  /** Ids carried out since the last successful write. */
  List<String> carriedOut() {
    return List.copyOf(done);
  }

  void written() {
    done.clear();
  }
}
