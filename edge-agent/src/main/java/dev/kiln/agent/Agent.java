package dev.kiln.agent;

import dev.kiln.agent.bandit.BanditFeedbackSink;
import dev.kiln.agent.bandit.Bandits;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.config.ConfigException;
import dev.kiln.agent.feedback.FeedbackSink;
import dev.kiln.agent.http.AgentHttpServer;
import dev.kiln.agent.quality.FieldScorer;
import dev.kiln.agent.quality.ScoringFeedbackSink;
import dev.kiln.agent.runtime.EngineRunnerFactory;
import dev.kiln.agent.runtime.InferenceThreads;
import dev.kiln.agent.runtime.OrtNativeLibraries;
import dev.kiln.agent.serving.InferenceService;
import dev.kiln.agent.serving.Metrics;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.serving.ModelRegistry;
import dev.kiln.agent.serving.ServedTrafficSink;
import dev.kiln.agent.store.ArtifactStore;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.agent.store.PipelineStore;
import dev.kiln.artifact.TrustedKeys;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.profile.ProfileException;
import java.io.IOException;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent: store, registry, inference service and HTTP server wired from one config.
 * {@link #close} drains HTTP requests first, then unloads models.
 */
public final class Agent implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

  private final AgentConfig config;
  private final ModelManager models;
  private final InferenceService service;
  private final AgentHttpServer http;
  private final Metrics metrics;
  private final DeviceProfile device;
  private final Bandits bandits;
  private final FieldScorer scorer;

  private Agent(
      AgentConfig config,
      ModelManager models,
      InferenceService service,
      AgentHttpServer http,
      Metrics metrics,
      DeviceProfile device,
      Bandits bandits,
      FieldScorer scorer) {
    this.config = config;
    this.bandits = bandits;
    this.scorer = scorer;
    this.device = device;
    this.models = models;
    this.service = service;
    this.http = http;
    this.metrics = metrics;
  }

  /**
   * Validates the environment, loads the active models and starts serving.
   *
   * @param capture where served traffic goes; {@link ServedTrafficSink#NOOP} until device-link is
   *     wired
   */
  public static Agent start(AgentConfig config, ServedTrafficSink capture) throws IOException {
    return start(config, capture, FeedbackSink.NONE);
  }

  /**
   * As {@link #start(AgentConfig, ServedTrafficSink)}, with {@code feedback} taking what {@code
   * POST /feedback} accepts.
   */
  public static Agent start(AgentConfig config, ServedTrafficSink capture, FeedbackSink feedback)
      throws IOException {
    DeviceProfile device = profile(config.profile());
    Map<String, PublicKey> keys = TrustedKeys.load(config.security().trustedKeysDir());
    if (keys.isEmpty() && config.security().requireSignature()) {
      LOG.warn(
          "no trusted keys in {} and security.requireSignature is true: every artifact will be"
              + " refused until a *.pub key is placed there",
          config.security().trustedKeysDir());
    }
    ArtifactStore store =
        new ArtifactStore(config.stateDir(), keys, config.security().requireSignature(), device);
    Metrics metrics = new Metrics();
    ModelRegistry registry = new ModelRegistry(config.models().memoryBudgetMb() * 1024 * 1024);
    metrics.addGauges(() -> registryGauges(registry));
    int cores = Runtime.getRuntime().availableProcessors();
    AgentConfig.Threads threads = config.threads();
    int share = InferenceThreads.perPredictor(threads.inference(), 0, threads.predictors(), cores);
    LOG.info(
        "inference threads: {} predictors per model x {} intra-op threads each ({}; {} cores"
            + " available; a model's manifest may ask for fewer)",
        threads.predictors(),
        share,
        threads.inference() > 0 ? "threads.inference" : "cores / predictors",
        cores);
    // Before any ONNX Runtime class loads: its libraries come from the state folder, unpacked once.
    OrtNativeLibraries.useCache(config.stateDir().resolve("native"));
    ModelManager models =
        new ModelManager(
            store,
            registry,
            new EngineRunnerFactory(share, metrics::inFlight, threads.wideLoneRequests()),
            config,
            metrics);
    models.start();
    Bandits bandits =
        Bandits.start(
            config.models().routing(),
            config.stateDir(),
            model ->
                models.all().stream()
                    .filter(m -> m.name().equals(model))
                    .findFirst()
                    .map(InstalledModel::production)
                    .orElse(List.of()));
    // Always wired: a fleet deploy may turn a bandit on at any time (an idle one costs a lookup).
    FieldScorer scorer = new FieldScorer();
    InferenceService service =
        new InferenceService(models, metrics, tee(scorer, tee(bandits, capture)));
    service.setRouting(bandits);
    metrics.addGauges(bandits::metrics);
    metrics.addGauges(scorer::metrics);
    feedback = new ScoringFeedbackSink(scorer, new BanditFeedbackSink(bandits, feedback));
    PipelineStore pipelines = new PipelineStore(config.stateDir());
    config.pipelines().forEach(service::putPipeline);
    pipelines.load().forEach(service::putPipeline);
    AgentHttpServer http =
        new AgentHttpServer(config, models, service, pipelines, metrics, feedback);
    http.start();
    LOG.info(
        "kiln-agent {} (profile {}) listening on {}:{}",
        config.deviceId(),
        device.name(),
        config.http().host(),
        http.port());
    return new Agent(config, models, service, http, metrics, device, bandits, scorer);
  }

  /** The first sink sees every served request before the next. */
  private static ServedTrafficSink tee(ServedTrafficSink first, ServedTrafficSink then) {
    return r -> {
      try {
        first.capture(r);
      } finally {
        then.capture(r);
      }
    };
  }

  private static DeviceProfile profile(String name) {
    try {
      return DeviceProfiles.fromClasspath().get(name);
    } catch (ProfileException e) {
      throw new ConfigException("profile", e.getMessage());
    }
  }

  private static String registryGauges(ModelRegistry registry) {
    return "# TYPE kiln_models_loaded gauge\nkiln_models_loaded "
        + registry.loadedKeys().size()
        + "\n# TYPE kiln_model_memory_estimated_bytes gauge\nkiln_model_memory_estimated_bytes "
        + registry.usedBytes()
        + "\n# TYPE kiln_model_memory_budget_bytes gauge\nkiln_model_memory_budget_bytes "
        + registry.budgetBytes()
        + "\n# TYPE kiln_model_evictions_total counter\nkiln_model_evictions_total "
        + registry.evictions()
        + "\n";
  }

  public int port() {
    return http.port();
  }

  public AgentConfig config() {
    return config;
  }

  /** Installs and activates versions; the fleet command handler deploys through it. */
  public ModelManager modelManager() {
    return models;
  }

  /** The profile this device runs as; artifacts for others are refused. */
  public DeviceProfile deviceProfile() {
    return device;
  }

  /** Every model with its variants and version states, for heartbeats. */
  public List<dev.kiln.agent.store.InstalledModel> models() {
    return models.all();
  }

  /** Counts since start, for health figures over a heartbeat's window. */
  public Metrics.Window metricWindow() {
    return metrics.window();
  }

  /** Bandit routing: fleet deploys of the {@code bandit} strategy turn it on per model. */
  public Bandits bandits() {
    return bandits;
  }

  /** Ground truth scored per served version, for heartbeats and the accuracy gate. */
  public FieldScorer fieldScorer() {
    return scorer;
  }

  /** Adds lines to {@code GET /metrics}, in Prometheus text format, rendered on each scrape. */
  public void addGauges(Supplier<String> lines) {
    metrics.addGauges(lines);
  }

  /** HTTP requests being served now; a fleet benchmark waits while production traffic flows. */
  public int requestsInFlight() {
    return metrics.inFlight();
  }

  /** Request and error counts per model and variant, for heartbeats. */
  public Map<String, Double> metricTotals() {
    return metrics.totals();
  }

  @Override
  public void close() {
    http.close();
    service.close();
    bandits.close();
    models.close();
    LOG.info("kiln-agent stopped");
  }
}
