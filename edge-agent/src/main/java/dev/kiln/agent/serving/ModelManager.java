package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.RunnerFactory;
import dev.kiln.agent.serving.autoscale.Autoscaler;
import dev.kiln.agent.store.ArtifactStore;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.agent.store.ServingSettingsStore;
import dev.kiln.agent.store.StoredVersion;
import dev.kiln.agent.store.VersionState;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.VerificationSample;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Installs, health-checks and activates model versions and keeps their persisted {@link
 * InstalledModel} in step with what is loaded. Activation of a model is serialized by a per-model
 * lock; the state file is written before LOADING and once more, atomically, when the new version
 * both passes its health check and takes traffic.
 */
public final class ModelManager implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelManager.class);

  /** Sample runs after a passed health check, before the version takes traffic. */
  static final int WARM_UP_RUNS = 5;

  /** Where a new version goes once healthy. */
  public enum Placement {
    /** Takes all production traffic; previous versions retire. */
    REPLACE,
    /** Joins the production variants with the given weight. */
    VARIANT,
    /** Becomes the shadow: gets a copy of traffic, its outputs are only captured. */
    SHADOW,
    /**
     * Like REPLACE, but the versions it replaces stay loaded (RETIRED, evictable by the memory
     * budget), so switching back is instant: blue/green's switch to green.
     */
    SWITCH
  }

  private final ArtifactStore store;
  private final ModelRegistry registry;
  private final ModelLoader loader;
  private final Autoscaler autoscaler;
  private final RunnerFactory runners;
  private final ServingSettingsStore servingSettings;
  private final AgentConfig config;
  private final Map<String, InstalledModel> states = new ConcurrentHashMap<>();
  private final Map<String, Manifest> manifests = new ConcurrentHashMap<>();
  private final Map<String, Object> locks = new ConcurrentHashMap<>();

  public ModelManager(
      ArtifactStore store,
      ModelRegistry registry,
      RunnerFactory runners,
      AgentConfig config,
      Metrics metrics) {
    this.store = store;
    this.registry = registry;
    this.autoscaler =
        new Autoscaler(
            config.autoscaling(),
            registry,
            config.threads().inference(),
            Runtime.getRuntime().availableProcessors());
    metrics.addGauges(autoscaler::prometheus);
    this.loader = new ModelLoader(runners, config, metrics, autoscaler);
    this.runners = runners;
    this.servingSettings = new ServingSettingsStore(config.stateDir());
    this.config = config;
  }

  /** Repairs interrupted activations, installs configured artifacts and loads active versions. */
  public void start() {
    try {
      store.recover();
      for (String name : store.modelNames()) {
        states.put(name, store.state(name));
      }
      servingSettings.load().forEach(loader::override);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (Path artifact : config.models().artifacts()) {
      try {
        install(artifact, Placement.REPLACE, 1.0, true);
      } catch (AgentException e) {
        LOG.error("configured artifact {} not activated: {}", artifact, e.getMessage());
      }
    }
    for (InstalledModel s : states.values()) {
      for (String version : s.activeVersions()) {
        try (ModelRegistry.Lease ignored = lease(s.name(), version)) {
          LOG.info("serving {} version {}", s.name(), version);
        } catch (AgentException e) {
          LOG.error("cannot load {} version {}: {}", s.name(), version, e.getMessage());
        }
      }
    }
    autoscaler.start();
  }

  /**
   * Installs an artifact, health-checks it on its sample and, only if that passes, puts it into
   * service. On failure the previously active versions keep serving and the version is FAILED.
   *
   * @param skipIfInstalled leave the model alone when this version is already installed
   */
  public InstalledModel install(
      Path artifact, Placement placement, double weight, boolean skipIfInstalled) {
    StoredVersion v = io(() -> store.install(artifact));
    synchronized (lock(v.name())) {
      InstalledModel s = state(v.name());
      VersionState current = s.stateOf(v.version());
      if (skipIfInstalled && current != null) {
        return s;
      }
      if (current == VersionState.ACTIVE) {
        return placed(s, v.version(), placement, weight);
      }
      return activate(s, v, placement, weight);
    }
  }

  /**
   * Moves a version that is already serving in some role (green, b, shadow) to another one without
   * reinstalling it: it is loaded and passed its health check when it took the first role.
   */
  public InstalledModel placeActive(
      String name, String version, Placement placement, double weight) {
    synchronized (lock(name)) {
      InstalledModel s = requireModel(name);
      if (s.stateOf(version) != VersionState.ACTIVE) {
        throw new AgentException(
            AgentErrorCode.VERSION_CONFLICT,
            name + " version " + version + " is " + s.stateOf(version) + ", not ACTIVE");
      }
      return placed(s, version, placement, weight);
    }
  }

  private InstalledModel activate(
      InstalledModel s, StoredVersion v, Placement placement, double weight) {
    String key = ModelRegistry.key(v.name(), v.version());
    if (s.stateOf(v.version()) == null) {
      s = s.withVersion(v.version(), VersionState.INSTALLED, "signed by " + v.signedBy());
    }
    s = save(s.withVersion(v.version(), VersionState.LOADING, null));
    HealthCheck.Result result;
    try (ModelRegistry.Lease lease = registry.acquire(key, () -> build(v))) {
      VerificationSample sample = io(v.artifact()::sample);
      result = HealthCheck.run(sample, lease.model()::run);
      if (result.ok()) {
        HealthCheck.warmUp(sample, lease.model()::run, WARM_UP_RUNS);
      }
    } catch (AgentException e) {
      result = new HealthCheck.Result(false, "load failed: " + e.getMessage());
    }
    Optional<String> int8Note = Int8OnThisCpu.saturationNote(v.artifact().manifest());
    if (int8Note.isPresent()) {
      result = new HealthCheck.Result(result.ok(), result.detail() + "; " + int8Note.get());
      if (result.ok()) {
        LOG.warn("{} version {}: {}", v.name(), v.version(), int8Note.get());
      }
    }
    if (!result.ok()) {
      registry.unload(key);
      save(s.withVersion(v.version(), VersionState.FAILED, result.detail()));
      LOG.error(
          "{} version {} failed its health check: {}", v.name(), v.version(), result.detail());
      throw new AgentException(
          AgentErrorCode.HEALTH_CHECK_FAILED,
          v.name()
              + " version "
              + v.version()
              + " failed its health check and was not activated ("
              + result.detail()
              + "); the previous version keeps serving");
    }
    s = s.withVersion(v.version(), VersionState.HEALTHY, result.detail());
    return placed(s, v.version(), placement, weight);
  }

  private InstalledModel placed(
      InstalledModel s, String version, Placement placement, double weight) {
    List<InstalledModel.Variant> production = new ArrayList<>();
    String shadow = s.shadow();
    switch (placement) {
      case REPLACE, SWITCH -> {
        production.add(new InstalledModel.Variant(version, 1.0));
        if (version.equals(shadow)) {
          shadow = null;
        }
      }
      case VARIANT -> {
        s.production().stream().filter(p -> !p.version().equals(version)).forEach(production::add);
        production.add(new InstalledModel.Variant(version, weight));
      }
      case SHADOW -> {
        production.addAll(s.production());
        shadow = version;
      }
    }
    return setTraffic(s, production, shadow, placement == Placement.SWITCH);
  }

  /** Replaces the production variants and shadow of a model; named versions must be healthy. */
  public InstalledModel setTraffic(
      String name, List<InstalledModel.Variant> production, String shadow) {
    synchronized (lock(name)) {
      InstalledModel s = requireModel(name);
      List<String> named =
          new ArrayList<>(production.stream().map(InstalledModel.Variant::version).toList());
      if (shadow != null) {
        named.add(shadow);
      }
      for (String version : named) {
        VersionState vs = s.stateOf(version);
        if (vs != VersionState.ACTIVE && vs != VersionState.HEALTHY && vs != VersionState.RETIRED) {
          throw new AgentException(
              vs == null ? AgentErrorCode.VERSION_NOT_FOUND : AgentErrorCode.VERSION_CONFLICT,
              name
                  + " version "
                  + version
                  + " is "
                  + (vs == null ? "not installed" : vs)
                  + "; only versions that passed their health check can take traffic");
        }
      }
      if (production.stream().anyMatch(p -> !(p.weight() >= 0))
          || (!production.isEmpty()
              && production.stream().mapToDouble(InstalledModel.Variant::weight).sum() <= 0)) {
        throw new AgentException(
            AgentErrorCode.INVALID_INPUT, "variant weights must be >= 0 and not all 0");
      }
      return setTraffic(s, production, shadow, false);
    }
  }

  private InstalledModel setTraffic(
      InstalledModel s,
      List<InstalledModel.Variant> production,
      String shadow,
      boolean keepLoaded) {
    InstalledModel next = save(s.withTraffic(production, shadow));
    for (String version : s.activeVersions()) {
      if (!keepLoaded && !next.activeVersions().contains(version)) {
        registry.unload(ModelRegistry.key(s.name(), version));
      }
    }
    return next;
  }

  /**
   * Serves {@code model} with {@code settings} (threads, predictors, batching) from now on, in
   * place of agent.json's: persisted first, then each serving version reloads with them (requests
   * in flight finish on the old session). If a version fails to load so, the previous settings are
   * restored, persisted and loaded again, and this throws.
   */
  public void applyServing(String model, ServingSettingsStore.Settings settings) {
    synchronized (lock(model)) {
      InstalledModel state = requireModel(model);
      ServingSettingsStore.Settings before = loader.override(model);
      persistServing(model, settings);
      try {
        reloadServing(state);
      } catch (RuntimeException e) {
        persistServing(model, before);
        reloadServing(state);
        throw e;
      }
    }
  }

  /** The settings a {@code config} command gave {@code model}; null when agent.json's apply. */
  public ServingSettingsStore.Settings servingOverride(String model) {
    return loader.override(model);
  }

  private void persistServing(String model, ServingSettingsStore.Settings settings) {
    io(
        () -> {
          if (settings == null) {
            servingSettings.remove(model);
          } else {
            servingSettings.save(model, settings);
          }
          return null;
        });
    loader.override(model, settings);
  }

  private void reloadServing(InstalledModel state) {
    for (String version : state.activeVersions()) {
      registry.unload(ModelRegistry.key(state.name(), version));
      try (ModelRegistry.Lease ignored = lease(state.name(), version)) {
        LOG.info("{} version {} reloaded with its serving settings", state.name(), version);
      }
    }
  }

  /** Takes a model out of service and frees its memory; artifacts stay installed. */
  public InstalledModel unload(String name) {
    return setTraffic(name, List.of(), null);
  }

  /** Holds a version in memory, loading it (and evicting others) when needed. */
  public ModelRegistry.Lease lease(String name, String version) {
    return autoscaler.lease(name, version, () -> build(io(() -> store.open(name, version))));
  }

  /** The engine factory production versions load with; a benchmark loads its trials with it. */
  public RunnerFactory runners() {
    return runners;
  }

  /** An installed version, re-verified, whether or not it serves (a benchmark's candidate). */
  public StoredVersion stored(String name, String version) {
    return io(() -> store.open(name, version));
  }

  public Manifest manifest(String name, String version) {
    return manifests.computeIfAbsent(
        ModelRegistry.key(name, version),
        k -> io(() -> store.open(name, version)).artifact().manifest());
  }

  private LoadedModel build(StoredVersion v) {
    LoadedModel loaded = loader.load(v);
    manifests.put(ModelRegistry.key(v.name(), v.version()), v.artifact().manifest());
    return loaded;
  }

  public InstalledModel state(String name) {
    return states.computeIfAbsent(name, n -> io(() -> store.state(n)));
  }

  public InstalledModel requireModel(String name) {
    InstalledModel s = states.get(name);
    if (s == null) {
      throw new AgentException(AgentErrorCode.MODEL_NOT_FOUND, "no model named '" + name + "'");
    }
    return s;
  }

  public List<InstalledModel> all() {
    return states.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
  }

  public ModelRegistry registry() {
    return registry;
  }

  /** Replica autoscaling of the models named under {@code autoscaling.models}. */
  public Autoscaler autoscaler() {
    return autoscaler;
  }

  private InstalledModel save(InstalledModel s) {
    io(
        () -> {
          store.save(s);
          return null;
        });
    states.put(s.name(), s);
    return s;
  }

  private Object lock(String name) {
    return locks.computeIfAbsent(name, n -> new Object());
  }

  interface IoCall<T> {
    T call() throws IOException;
  }

  static <T> T io(IoCall<T> call) {
    try {
      return call.call();
    } catch (IOException e) {
      throw new AgentException(
          AgentErrorCode.IO_ERROR, "state directory I/O failed: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    autoscaler.close();
    registry.close();
  }
}
