package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.store.InstalledModel;
import dev.kiln.artifact.Manifest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one request: picks the variant, checks inputs, runs the model (or each step of a
 * pipeline), records metrics and capture, and copies the request to the shadow variant on a
 * background thread whose output is never returned.
 */
public final class InferenceService implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceService.class);

  private final ModelManager models;
  private final Metrics metrics;
  private final ServedTrafficSink capture;
  private final Map<String, AgentConfig.PipelineSpec> pipelines = new ConcurrentHashMap<>();
  private volatile RoutingPolicy routing = RoutingPolicy.WEIGHTS;
  // Shadow work is best effort: when the queue is full the copy is dropped, never the request.
  private final ThreadPoolExecutor shadowPool =
      new ThreadPoolExecutor(
          1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(64), r -> daemon(r, "shadow"));

  /** Where a request goes: the model (or pipeline) and version, and the inputs it expects. */
  public record Route(
      String model, String version, Manifest.IoSignature signature, boolean pipeline) {}

  public record Result(String model, String version, String variant, Map<String, Tensor> outputs) {}

  public InferenceService(ModelManager models, Metrics metrics, ServedTrafficSink capture) {
    this.models = models;
    this.metrics = metrics;
    this.capture = capture;
  }

  public void putPipeline(AgentConfig.PipelineSpec spec) {
    pipelines.put(spec.name(), spec);
  }

  /** Chooses variants for requests that name none (the bandit); static weights until set. */
  public void setRouting(RoutingPolicy routing) {
    this.routing = routing;
  }

  public RoutingPolicy routing() {
    return routing;
  }

  public Map<String, AgentConfig.PipelineSpec> pipelines() {
    return Map.copyOf(pipelines);
  }

  /** Chooses the variant for a request; decoding the body needs the chosen signature. */
  public Route route(String name, String requestedVariant) {
    AgentConfig.PipelineSpec pipeline = pipelines.get(name);
    if (pipeline != null) {
      Route first = route(pipeline.steps().get(0), null);
      return new Route(name, "pipeline", first.signature(), true);
    }
    InstalledModel state = models.requireModel(name);
    String version =
        VariantRouter.pick(
            name,
            state.production(),
            requestedVariant,
            ThreadLocalRandom.current()::nextDouble,
            routing);
    return new Route(name, version, models.manifest(name, version).signature(), false);
  }

  /**
   * Routes to one version by name, as the Open Inference Protocol's {@code /versions/{v}} paths do:
   * any version taking traffic (a production variant or the shadow) may be asked for.
   */
  public Route routeToVersion(String name, String version) {
    InstalledModel state = models.requireModel(name);
    if (!state.activeVersions().contains(version)) {
      throw new AgentException(
          AgentErrorCode.VERSION_NOT_FOUND,
          "model '"
              + name
              + "' has no version '"
              + version
              + "' taking traffic; serving versions: "
              + state.activeVersions());
    }
    return new Route(name, version, models.manifest(name, version).signature(), false);
  }

  public Result invoke(Route route, Map<String, Tensor> inputs, String requestId) {
    return invoke(route, inputs, requestId, null);
  }

  /**
   * @param customAttributes the caller's opaque attributes, kept in the capture records
   */
  public Result invoke(
      Route route, Map<String, Tensor> inputs, String requestId, String customAttributes) {
    Traced traced = new Traced(requestId, customAttributes);
    if (route.pipeline()) {
      return runPipeline(pipelines.get(route.model()), inputs, traced);
    }
    InputValidator.validate(route.model(), route.signature(), inputs);
    Map<String, Tensor> outputs = runOne(route.model(), route.version(), inputs, traced, false);
    InstalledModel state = models.requireModel(route.model());
    if (state.shadow() != null && !state.shadow().equals(route.version())) {
      shadow(route.model(), state.shadow(), inputs, traced);
    }
    return new Result(route.model(), route.version(), route.version(), outputs);
  }

  /** What identifies a request in its capture records. */
  private record Traced(String requestId, String customAttributes) {}

  private Map<String, Tensor> runOne(
      String model, String version, Map<String, Tensor> inputs, Traced traced, boolean shadow) {
    long start = System.nanoTime();
    String variant = shadow ? version + "-shadow" : version;
    try (ModelRegistry.Lease lease = models.lease(model, version)) {
      Map<String, Tensor> outputs = lease.model().run(inputs);
      long micros = (System.nanoTime() - start) / 1000;
      metrics.recordInvocation(model, variant, micros, false);
      record(
          new ServedInference(
              traced.requestId(),
              model,
              version,
              variant,
              shadow,
              inputs,
              outputs,
              micros,
              null,
              Instant.now(),
              traced.customAttributes()));
      return outputs;
    } catch (AgentException e) {
      long micros = (System.nanoTime() - start) / 1000;
      if (e.code() == AgentErrorCode.ENGINE_ERROR) {
        metrics.recordInvocation(model, variant, micros, true);
        record(
            new ServedInference(
                traced.requestId(),
                model,
                version,
                variant,
                shadow,
                inputs,
                null,
                micros,
                e.getMessage(),
                Instant.now(),
                traced.customAttributes()));
      }
      throw e;
    }
  }

  private void shadow(String model, String version, Map<String, Tensor> inputs, Traced traced) {
    try {
      shadowPool.execute(
          () -> {
            try {
              runOne(model, version, inputs, traced, true);
            } catch (RuntimeException e) {
              metrics.recordShadowError();
              LOG.warn(
                  "shadow {}@{} failed for request {}: {}",
                  model,
                  version,
                  traced.requestId(),
                  e.getMessage());
            }
          });
    } catch (RejectedExecutionException e) {
      metrics.recordShadowError();
    }
  }

  private Result runPipeline(
      AgentConfig.PipelineSpec spec, Map<String, Tensor> inputs, Traced traced) {
    Map<String, Tensor> current = inputs;
    List<String> versions = new ArrayList<>();
    for (String step : spec.steps()) {
      Route route = route(step, null);
      Map<String, Tensor> stepInputs = PipelineWiring.connect(step, route.signature(), current);
      InputValidator.validate(step, route.signature(), stepInputs);
      current = runOne(step, route.version(), stepInputs, traced, false);
      versions.add(step + "@" + route.version());
    }
    String chain = String.join(">", versions);
    return new Result(spec.name(), chain, chain, current);
  }

  private void record(ServedInference r) {
    try {
      capture.capture(r);
    } catch (RuntimeException e) {
      LOG.warn("capture sink failed: {}", e.getMessage());
    }
  }

  private static Thread daemon(Runnable r, String name) {
    Thread t = new Thread(r, name);
    t.setDaemon(true);
    return t;
  }

  @Override
  public void close() {
    shadowPool.shutdown();
    try {
      shadowPool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
