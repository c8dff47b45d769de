package dev.kiln.agent;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.artifact.Json;
import dev.kiln.testkit.FreePorts;
import dev.kiln.testkit.JvmLauncher;
import dev.kiln.testkit.JvmProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import javax.net.ssl.SSLContext;

/**
 * The agent as a real process ({@code java -cp <test classpath> AgentMain run --config ...}) on a
 * free loopback port, with an HTTP client for it that sends the agent's management token. The log
 * goes to {@code <workDir>/agent-N.log}.
 */
public final class AgentProcess implements AutoCloseable {
  private final Path workDir;
  private final ObjectNode config;
  private HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private String scheme = "http";
  private JvmProcess process;
  private int port;
  private String heap = "256m";
  private String classpath = JvmLauncher.testClasspath();
  private final java.util.List<String> jvmOptions = new java.util.ArrayList<>();
  private int starts;
  private String token;

  /**
   * @param customize edits the config after the defaults (stateDir and trusted keys under workDir)
   */
  public AgentProcess(Path workDir, Consumer<ObjectNode> customize) throws IOException {
    this.workDir = Files.createDirectories(workDir);
    this.config = Json.MAPPER.createObjectNode();
    config.put("deviceId", "test-device");
    config.put("profile", "linux-x86_64");
    config.put("stateDir", workDir.resolve("state").toString());
    config.putObject("http").put("host", "127.0.0.1").put("drainSeconds", 5);
    config.putObject("security").put("trustedKeysDir", keysDir().toString());
    config.putObject("threads").put("http", 4).put("inference", 1).put("predictors", 2);
    customize.accept(config);
  }

  /**
   * Talks HTTPS to an agent configured with {@code http.tls}, trusting and presenting {@code tls}.
   */
  public AgentProcess https(SSLContext tls) {
    this.client =
        HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(tls).build();
    this.scheme = "https";
    return this;
  }

  /** The port of the running agent. */
  public int port() {
    return port;
  }

  /** {@code scheme://127.0.0.1:port} of the running agent. */
  public URI uri(String path) {
    return URI.create(scheme + "://127.0.0.1:" + port + path);
  }

  public Path keysDir() {
    return workDir.resolve("keys");
  }

  public Path workDir() {
    return workDir;
  }

  public Path stateDir() {
    return Path.of(config.get("stateDir").asText());
  }

  /** {@code http.auth.tokenFile} if the test set it, else the token the agent creates. */
  public Path tokenFile() {
    String configured = config.at("/http/auth/tokenFile").asText(null);
    return configured != null ? Path.of(configured) : stateDir().resolve("auth/token");
  }

  /** The management token, as the agent read it at start. */
  public String token() throws IOException {
    if (token == null) {
      token = Files.readString(tokenFile()).strip();
    }
    return token;
  }

  /** The first of {@code models.importDirs}: where {@link #install} copies artifacts to. */
  public Path importDir() {
    String configured = config.at("/models/importDirs/0").asText(null);
    return configured != null ? Path.of(configured) : stateDir().resolve("import");
  }

  public static Path tmp(String name) throws IOException {
    Path root = Path.of(System.getProperty("java.io.tmpdir"));
    Files.createDirectories(root);
    return Files.createTempDirectory(root, name);
  }

  /** The agent's heap cap from the next start on (256m unless set; devices run 64m). */
  public AgentProcess heap(String xmx) {
    this.heap = xmx;
    return this;
  }

  /** The classpath of the next start (the test classpath unless set). */
  public AgentProcess classpath(String entries) {
    this.classpath = entries;
    return this;
  }

  /** Adds a JVM option from the next start on, after the heap cap and the collector. */
  public AgentProcess jvmOption(String option) {
    jvmOptions.add(option);
    return this;
  }

  /** Starts the process and waits until it answers HTTP. */
  public AgentProcess start() throws IOException {
    port = FreePorts.next();
    ((ObjectNode) config.get("http")).put("port", port);
    token = null;
    Path configFile = workDir.resolve("agent.json");
    Files.write(configFile, Json.toBytes(config));
    JvmLauncher launcher =
        JvmLauncher.kilnAgent(configFile)
            .classpath(classpath)
            .jvmOption("-Xmx" + heap)
            .jvmOption("-XX:+UseSerialGC");
    jvmOptions.forEach(launcher::jvmOption);
    process =
        launcher
            .inheritProperty("java.io.tmpdir")
            .property("org.slf4j.simpleLogger.defaultLogLevel", "info")
            .log(workDir.resolve("agent-" + (++starts) + ".log"))
            .start();
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              if (!process.alive()) {
                throw new IllegalStateException(
                    "agent exited with " + process.process().exitValue() + ":\n" + log());
              }
              try {
                get("/metrics");
                return true;
              } catch (IOException e) {
                return false;
              }
            });
    return this;
  }

  public String log() throws IOException {
    return Files.readString(workDir.resolve("agent-" + starts + ".log"));
  }

  /** Sends with the agent's token unless {@code headers} carries its own Authorization. */
  public HttpResponse<String> send(
      String method, String path, byte[] body, String contentType, Map<String, String> headers)
      throws IOException {
    return send(method, path, body, contentType, headers, Duration.ofSeconds(60));
  }

  /**
   * Sends with the agent's token unless {@code headers} carries its own Authorization.
   *
   * @param timeout the whole exchange must finish within it, else {@link
   *     java.net.http.HttpTimeoutException}
   */
  public HttpResponse<String> send(
      String method,
      String path,
      byte[] body,
      String contentType,
      Map<String, String> headers,
      Duration timeout)
      throws IOException {
    String authorization =
        headers.keySet().stream().anyMatch("Authorization"::equalsIgnoreCase)
            ? null
            : "Bearer " + token();
    return sendAs(authorization, method, path, body, contentType, headers, timeout);
  }

  /**
   * @param authorization the Authorization header to send, or null for none
   */
  public HttpResponse<String> sendAs(
      String authorization,
      String method,
      String path,
      byte[] body,
      String contentType,
      Map<String, String> headers)
      throws IOException {
    return sendAs(authorization, method, path, body, contentType, headers, Duration.ofSeconds(60));
  }

  private HttpResponse<String> sendAs(
      String authorization,
      String method,
      String path,
      byte[] body,
      String contentType,
      Map<String, String> headers,
      Duration timeout)
      throws IOException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri(path))
            .timeout(timeout)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    headers.forEach(b::header);
    try {
      return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  public HttpResponse<String> get(String path) throws IOException {
    return send("GET", path, null, null, Map.of());
  }

  public HttpResponse<String> postJson(String path, Object body) throws IOException {
    return send("POST", path, Json.MAPPER.writeValueAsBytes(body), "application/json", Map.of());
  }

  public HttpResponse<String> putJson(String path, Object body) throws IOException {
    return send("PUT", path, Json.MAPPER.writeValueAsBytes(body), "application/json", Map.of());
  }

  public static JsonNode json(HttpResponse<String> r) throws IOException {
    return Json.MAPPER.readTree(r.body());
  }

  /**
   * Installs an artifact through the API, as an operator does: copied into the import folder first,
   * since {@code POST /models} takes nothing from elsewhere. Returns the response.
   */
  public HttpResponse<String> install(Path artifact, String placement, double weight)
      throws IOException {
    return postJson(
        "/models",
        Map.of(
            "artifact",
            toImportDir(artifact).toString(),
            "placement",
            placement,
            "weight",
            weight));
  }

  /** Copies {@code artifact} into {@link #importDir} (unless it is there) and returns the copy. */
  public Path toImportDir(Path artifact) throws IOException {
    if (artifact.toAbsolutePath().startsWith(importDir().toAbsolutePath())) {
      return artifact;
    }
    return Files.copy(
        artifact, importDir().resolve(artifact.getFileName()), StandardCopyOption.REPLACE_EXISTING);
  }

  /** SIGKILL: no shutdown hook runs. */
  public void kill9() throws InterruptedException {
    process.kill();
  }

  public Process process() {
    return process.process();
  }

  /** SIGTERM and wait for the drain to finish. */
  @Override
  public void close() throws InterruptedException {
    if (process != null) {
      process.close();
    }
  }
}
