package dev.kiln.agent.bandit;

import dev.kiln.agent.config.RoutingConfig;
import dev.kiln.agent.feedback.Feedback;
import dev.kiln.agent.serving.RoutingPolicy;
import dev.kiln.agent.serving.ServedInference;
import dev.kiln.agent.serving.ServedTrafficSink;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.link.protocol.ModelState;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bandits of every model configured under {@code models.routing}: chooses variants ({@link
 * RoutingPolicy}), counts what each variant served and its rewards (it sees every served request as
 * a {@link ServedTrafficSink}), takes rewards from {@code POST /feedback} and persists what it
 * learned.
 *
 * <p>Durability: changed state is written every {@link #PERSIST_INTERVAL_MS} by a background
 * thread, and on {@link #close}. A {@code kill -9} loses at most the pulls and rewards of the last
 * interval (plus the write in progress); requests still waiting for feedback are forgotten.
 */
public final class Bandits implements RoutingPolicy, ServedTrafficSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Bandits.class);

  public static final long PERSIST_INTERVAL_MS = 1000;

  /** The bandit a fleet deploy turns on: rewards by feedback, the default floor. */
  public static final RoutingConfig FLEET_DEFAULT =
      new RoutingConfig(RoutingConfig.THOMPSON, 0.05, RoutingConfig.Reward.FEEDBACK, 10_000);

  private final Map<String, ThompsonBandit> bandits = new ConcurrentHashMap<>();
  private final Map<String, PendingRewards> pending = new ConcurrentHashMap<>();
  private final BanditStore store;
  private final AtomicLong unmatched = new AtomicLong();
  private final AtomicLong clamped = new AtomicLong();
  private final AtomicLong writeErrors = new AtomicLong();
  private final ScheduledExecutorService writer;
  private final Function<String, List<InstalledModel.Variant>> variants;

  private Bandits(
      Map<String, RoutingConfig> routing,
      Path stateDir,
      Function<String, List<InstalledModel.Variant>> variants,
      boolean persistInBackground) {
    this.store = new BanditStore(stateDir);
    this.variants = variants;
    store
        .runtimeBandits()
        .forEach(
            (model, config) -> {
              if (!routing.containsKey(model)) {
                add(new ThompsonBandit(model, config, store.load(model), true));
              }
            });
    routing.forEach(
        (model, config) -> add(new ThompsonBandit(model, config, store.load(model), false)));
    if (persistInBackground) {
      writer =
          Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "bandit-state");
                t.setDaemon(true);
                return t;
              });
      writer.scheduleWithFixedDelay(
          this::persist, PERSIST_INTERVAL_MS, PERSIST_INTERVAL_MS, TimeUnit.MILLISECONDS);
    } else {
      writer = null;
    }
  }

  /**
   * Loads what each configured model learned before and starts the periodic writer.
   *
   * @param variants a model's current production variants (empty when it has none)
   */
  public static Bandits start(
      Map<String, RoutingConfig> routing,
      Path stateDir,
      Function<String, List<InstalledModel.Variant>> variants) {
    Bandits b = new Bandits(routing, stateDir, variants, true);
    b.bandits.values().forEach(t -> LOG.info("bandit routing for {}: {}", t.model(), t.arms()));
    return b;
  }

  /** Without the background writer: tests call {@link #persist} themselves. */
  static Bandits withoutWriter(
      Map<String, RoutingConfig> routing,
      Path stateDir,
      Function<String, List<InstalledModel.Variant>> variants) {
    return new Bandits(routing, stateDir, variants, false);
  }

  private void add(ThompsonBandit b) {
    pending.put(b.model(), new PendingRewards(b.config().pendingRequests()));
    bandits.put(b.model(), b);
  }

  /**
   * Turns bandit routing on for {@code model}, as a fleet {@code bandit} deploy asks; a model
   * already routed by a bandit (from agent.json or an earlier deploy) keeps it and what it learned.
   * Persisted before it returns, so a restart keeps routing by bandit.
   */
  public void enable(String model) throws IOException {
    if (bandits.containsKey(model)) {
      return;
    }
    ThompsonBandit b = new ThompsonBandit(model, FLEET_DEFAULT, Map.of(), true);
    store.save(model, Map.of(), FLEET_DEFAULT);
    add(b);
    LOG.info("bandit routing for {} turned on by a fleet deploy", model);
  }

  /**
   * Turns off a bandit a fleet deploy turned on (the deployment promoted a winner or rolled back);
   * one from agent.json stays.
   */
  public void disableFromFleet(String model) throws IOException {
    ThompsonBandit b = bandits.get(model);
    if (b == null || !b.fromFleet()) {
      return;
    }
    bandits.remove(model);
    pending.remove(model);
    store.delete(model);
    LOG.info("bandit routing for {} turned off: the fleet deployment ended", model);
  }

  /** A configured model, or one a fleet deploy turned on, is routed by a bandit. */
  public boolean routes(String model) {
    return bandits.containsKey(model);
  }

  /** True when no model can be routed by a bandit yet (fleet deploys may still turn one on). */
  public boolean isEmpty() {
    return bandits.isEmpty();
  }

  @Override
  public String choose(String model, List<InstalledModel.Variant> variants) {
    ThompsonBandit b = bandits.get(model);
    if (b == null) {
      return null;
    }
    return b.choose(names(variants), ThreadLocalRandom.current());
  }

  @Override
  public void capture(ServedInference r) {
    ThompsonBandit b = bandits.get(r.model());
    if (b == null || r.shadow()) {
      return;
    }
    b.pulled(r.version());
    RoutingConfig.Reward reward = b.config().reward();
    if (r.error() != null) {
      // A failed request earns nothing, whatever the reward source; no feedback is awaited.
      b.rewarded(r.version(), 0);
    } else if (!reward.fromFeedback()) {
      b.rewarded(r.version(), r.latencyMicros() <= reward.latencyUnderMs() * 1000 ? 1 : 0);
    } else if (r.requestId() != null) {
      PendingRewards waiting = pending.get(r.model());
      if (waiting != null) {
        waiting.put(
            r.requestId(),
            new PendingRewards.Pending(
                r.model(), r.version(), PendingRewards.predicted(r.outputs())));
      }
    }
  }

  /**
   * Applies the rewards among {@code feedback}: a {@code reward} (clamped to [0, 1]) or a {@code
   * label} scored 1 when it equals the served prediction's class, else 0. A {@code value} is not a
   * reward and leaves the request waiting. Returns how many rewards were applied.
   */
  public int reward(List<Feedback> feedback) {
    int applied = 0;
    for (Feedback f : feedback) {
      if (f.reward() == null && f.label() == null) {
        continue;
      }
      PendingRewards.Pending p = take(f.requestId());
      if (p == null) {
        unmatched.incrementAndGet();
        continue;
      }
      double r;
      if (f.reward() != null) {
        r = Math.max(0, Math.min(1, f.reward()));
        if (r != f.reward()) {
          clamped.incrementAndGet();
        }
      } else {
        r = f.label().equals(p.predicted()) ? 1 : 0;
      }
      ThompsonBandit b = bandits.get(p.model());
      if (b != null) {
        b.rewarded(p.variant(), r);
        applied++;
      }
    }
    return applied;
  }

  private PendingRewards.Pending take(String requestId) {
    for (PendingRewards p : pending.values()) {
      PendingRewards.Pending found = p.take(requestId);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /** Per arm of {@code model}'s current variants: learned counts, posterior and share. */
  public List<ArmReport> arms(String model) {
    ThompsonBandit b = bandits.get(model);
    return b == null ? List.of() : b.report(names(variants.apply(model)));
  }

  /** Per version of a bandit model, the heartbeat's figures; empty for other models. */
  public Map<String, ModelState.BanditArm> heartbeatArms(String model) {
    Map<String, ModelState.BanditArm> out = new TreeMap<>();
    for (ArmReport a : arms(model)) {
      out.put(
          a.variant(), new ModelState.BanditArm(a.pulls(), a.rewarded(), a.rewardSum(), a.share()));
    }
    return out;
  }

  /** What {@code GET /models/{m}} shows under {@code routing}. */
  @Override
  public Object describe(String model) {
    ThompsonBandit b = bandits.get(model);
    if (b == null) {
      return null;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("type", "bandit");
    out.put("algorithm", b.config().algorithm());
    out.put("explorationFloor", b.config().explorationFloor());
    out.put("reward", b.config().reward().describe());
    out.put("arms", arms(model));
    PendingRewards waiting = pending.getOrDefault(model, new PendingRewards(1));
    out.put("pendingRequests", waiting.size());
    out.put("evictedRequests", waiting.evicted());
    return out;
  }

  /** Writes every bandit whose state changed; failures are logged and counted, then retried. */
  void persist() {
    for (ThompsonBandit b : bandits.values()) {
      Map<String, ArmStats> arms = b.takeDirty();
      if (arms == null) {
        continue;
      }
      try {
        if (bandits.get(b.model()) == b) {
          store.save(b.model(), arms, b.fromFleet() ? b.config() : null);
        }
      } catch (IOException | RuntimeException e) {
        writeErrors.incrementAndGet();
        b.markDirty();
        LOG.warn("cannot write bandit state of {}: {}", b.model(), e.getMessage());
      }
    }
  }

  long unmatched() {
    return unmatched.get();
  }

  Path file(String model) {
    return store.file(model);
  }

  /** Prometheus lines: per arm pulls, rewards, posterior mean and share; drop counters. */
  public String metrics() {
    return BanditMetrics.render(this);
  }

  Map<String, ThompsonBandit> bandits() {
    return bandits;
  }

  Map<String, PendingRewards> pending() {
    return pending;
  }

  long clamped() {
    return clamped.get();
  }

  long writeErrors() {
    return writeErrors.get();
  }

  private static List<String> names(List<InstalledModel.Variant> variants) {
    return variants.stream().map(InstalledModel.Variant::version).toList();
  }

  @Override
  public void close() {
    if (writer != null) {
      writer.shutdown();
      try {
        writer.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    persist();
  }
}
