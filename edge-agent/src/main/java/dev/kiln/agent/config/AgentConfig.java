package dev.kiln.agent.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The agent's configuration, read once at start from {@code agent.json} by {@link ConfigLoader} and
 * immutable afterwards. Every key, its default and its allowed values are listed in docs/agent.md;
 * the defaults live in {@link ConfigLoader} next to the key they belong to.
 *
 * @param deviceId stable name of this device in the fleet
 * @param profile device profile name; artifacts for other profiles are refused
 * @param stateDir root of the artifact store and activation state
 */
public record AgentConfig(
    String deviceId,
    String profile,
    Path stateDir,
    Http http,
    Security security,
    Models models,
    Batching batching,
    Threads threads,
    Autoscaling autoscaling,
    List<PipelineSpec> pipelines,
    Cloud cloud) {

  /**
   * The link to the cloud over MQTT 5; off when {@code brokerUrl} is null, and the agent then
   * serves locally only.
   *
   * @param brokerUrl {@code tcp://host:1883} or {@code ssl://host:8883}
   * @param caFile PEM CA for ssl:// (with {@code certFile} and {@code keyFile} for mutual TLS)
   * @param groups fleet groups this device belongs to, for {@code kiln fleet deploy --group}
   * @param commandKeysDir folder of the fleet console's Ed25519 {@code *.pub} keys; commands signed
   *     by any other key are refused. Defaults to {@code security.trustedKeysDir}
   */
  public record Cloud(
      String brokerUrl,
      String username,
      String password,
      Path caFile,
      Path certFile,
      Path keyFile,
      int heartbeatSeconds,
      Capture capture,
      List<String> groups,
      Path commandKeysDir) {
    public boolean enabled() {
      return brokerUrl != null;
    }
  }

  /**
   * What served traffic is captured for retraining.
   *
   * @param samplePercent share of requests captured, 0-100
   * @param mode {@code inputs}, {@code outputs} or {@code both}
   * @param maxPayloadBytes records with larger tensors keep their metadata and drop the data
   * @param encryptionKeyFile 32-byte key (raw or base64), outside {@code stateDir} and readable by
   *     the agent's user only; when set, the capture outbox is sealed with AES-256-GCM. Null keeps
   *     it plain (still 0600/0700)
   * @param durability {@code async}: the answer goes out while the record waits (milliseconds) for
   *     its group's fsync; {@code sync}: the answer waits until the record is fsynced
   */
  public record Capture(
      double samplePercent,
      String mode,
      int maxPayloadBytes,
      Path encryptionKeyFile,
      String durability) {}

  /**
   * @param maxBodyBytes largest request body accepted; larger ones get 413
   * @param drainSeconds how long shutdown waits for in-flight requests
   * @param allowedOrigins web origins ({@code https://host:port}, lower case) whose state-changing
   *     requests pass the cross-site check; every other {@code Origin} gets 403
   * @param idleTimeoutSeconds a connection with no bytes moving for this long is closed
   * @param headerTimeoutSeconds longest a client may take to send one request's line and headers
   * @param minRequestBytesPerSecond a body arriving slower than this (averaged since the request
   *     began) is refused with 408 and its connection closed
   * @param maxHeaderBytes largest request line plus headers; larger ones get 431
   * @param maxConnections open connections at most; further clients wait in the accept backlog
   * @param tls HTTPS, or null for plain HTTP
   */
  public record Http(
      String host,
      int port,
      long maxBodyBytes,
      int drainSeconds,
      Auth auth,
      List<String> allowedOrigins,
      int idleTimeoutSeconds,
      int headerTimeoutSeconds,
      long minRequestBytesPerSecond,
      int maxHeaderBytes,
      int maxConnections,
      Tls tls) {}

  /**
   * Who may call the management endpoints.
   *
   * @param tokenFile file holding the bearer token; null means the agent's own token under the
   *     state dir, created on first start
   * @param openEndpoints {@code "METHOD /path"} patterns ({@code *} matches one path segment) that
   *     need no token
   */
  public record Auth(Path tokenFile, List<String> openEndpoints) {}

  /**
   * HTTPS for the agent's API, from PEM files.
   *
   * @param certFile the server's certificate chain (PEM)
   * @param keyFile its private key (PEM, unencrypted PKCS#8 or PKCS#1 RSA)
   * @param clientCaFile when set, clients must present a certificate signed by one of these CAs
   *     (mutual TLS); when null, client certificates are not asked for
   */
  public record Tls(Path certFile, Path keyFile, Path clientCaFile) {
    public boolean mutual() {
      return clientCaFile != null;
    }
  }

  /**
   * @param trustedKeysDir folder of Ed25519 {@code *.pub} keys whose signatures are trusted
   * @param requireSignature refuse unsigned artifacts
   */
  public record Security(Path trustedKeysDir, boolean requireSignature) {}

  /**
   * @param memoryBudgetMb total estimated memory for loaded models; least recently used models are
   *     unloaded to stay under it
   * @param memoryFactor estimated resident bytes per payload byte (weights, engine arenas and
   *     pre-packed copies)
   * @param defaultModel model served by {@code POST /invocations} and checked by {@code /ping}
   * @param artifacts {@code .kiln} files installed and activated at start when not yet installed
   * @param acceptNonFinite models (or pipelines, by the name requests use) whose float inputs may
   *     hold NaN and Infinity; every other model refuses them with 400 INVALID_INPUT
   * @param importDirs folders {@code POST /models} may install {@code .kiln} files from
   * @param routing bandit routing per model name; models not named keep static weights
   */
  public record Models(
      long memoryBudgetMb,
      double memoryFactor,
      String defaultModel,
      List<Path> artifacts,
      Set<String> acceptNonFinite,
      List<Path> importDirs,
      Map<String, RoutingConfig> routing) {}

  /**
   * Dynamic batching defaults for every model; 1 turns batching off.
   *
   * @param maxQueueDelayMs accepted for older configs; the batcher never waits for company (it
   *     batches only what queued while the engine was busy), so nothing reads it
   */
  public record Batching(int maxBatchSize, int maxQueueDelayMs, Map<String, Batching> models) {

    /** The settings for {@code model}: its own entry under {@code batching.models}, else these. */
    public Batching forModel(String model) {
      return models == null ? this : models.getOrDefault(model, this);
    }
  }

  /**
   * @param http threads serving HTTP requests
   * @param inference intra-op threads per model in the engine
   * @param predictors requests that may run one model concurrently
   * @param wideLoneRequests whether a request the agent serves alone may run on a second session
   *     with every predictor's threads ({@code threads.wideLoneRequests}; see docs/agent.md,
   *     "Threads")
   */
  public record Threads(int http, int inference, int predictors, boolean wideLoneRequests) {

    /** {@code threads.http} when the config leaves it out, on a host with {@code cores} cores. */
    public static int defaultHttp(int cores) {
      return Math.max(4, 2 * cores);
    }
  }

  /**
   * Replica autoscaling per model ({@code autoscaling.models.<name>}); models not named keep a
   * fixed {@code threads.predictors}.
   */
  public record Autoscaling(Map<String, ModelAutoscaling> models) {

    /** The settings for {@code model}, or null when it does not autoscale. */
    public ModelAutoscaling forModel(String model) {
      return models.get(model);
    }
  }

  /**
   * Target tracking on in-flight requests per replica (a replica is one engine session of the
   * model, running one request at a time).
   *
   * @param minReplicas replicas kept loaded; 0 unloads the model after {@code idleSeconds} without
   *     requests and loads it again on the next one (scale to zero)
   * @param maxReplicas replicas at most (further capped by the cores, see docs/agent.md)
   * @param targetInFlightPerReplica scale out when the requests in flight per replica, averaged
   *     over the last second, exceed it; scale in when one replica fewer would still hold them at
   *     it
   * @param scaleOutCooldownS seconds after a scale-out before the next one
   * @param scaleInCooldownS seconds after any scaling before a scale-in
   * @param idleSeconds with {@code minReplicas} 0: seconds without requests before unloading
   * @param coldStartTimeoutS seconds (a fraction allowed, down to a millisecond) a request waits
   *     for a scaled-to-zero model to load before 503 with Retry-After (the load goes on)
   */
  public record ModelAutoscaling(
      int minReplicas,
      int maxReplicas,
      double targetInFlightPerReplica,
      int scaleOutCooldownS,
      int scaleInCooldownS,
      int idleSeconds,
      double coldStartTimeoutS) {

    /** {@link #coldStartTimeoutS} as a duration, to the millisecond. */
    public Duration coldStartTimeout() {
      return Duration.ofMillis(Math.round(coldStartTimeoutS * 1000));
    }
  }

  /** A chain of 2-5 models served under {@code name}; each step's outputs feed the next. */
  public record PipelineSpec(String name, List<String> steps) {}
}
