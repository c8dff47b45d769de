package dev.kiln.agent.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.http.access.ImportDirs;
import dev.kiln.agent.serving.InferenceService;
import dev.kiln.agent.serving.Metrics;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.store.PipelineStore;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API on the JDK's built-in server (no web framework: the agent must stay small).
 * Every reply is JSON except {@code /metrics}; every failure is a JSON error carrying its code and
 * the request id, and no request can take the server down.
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);
  private static final Pattern MODEL_PATH =
      Pattern.compile("/models/([^/]+)(/invocations|/variants)?/?");
  private static final Pattern PIPELINE_PATH = Pattern.compile("/pipelines/([^/]+)/?");

  private final HttpServer server;
  private final ExecutorService executor;
  private final InvocationHandler invocations;
  private final ManagementHandler management;
  private final ManagementAccess access;
  private final Metrics metrics;
  private final int drainSeconds;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  public AgentHttpServer(
      AgentConfig config,
      ModelManager models,
      InferenceService service,
      PipelineStore pipelines,
      Metrics metrics)
      throws IOException {
    this.metrics = metrics;
    this.drainSeconds = config.http().drainSeconds();
    this.invocations =
        new InvocationHandler(
            service, config.http().maxBodyBytes(), config.models().acceptNonFinite());
    this.management =
        new ManagementHandler(
            models,
            service,
            pipelines,
            metrics,
            config.models().defaultModel(),
            new ImportDirs(config.models().importDirs()));
    this.access = new ManagementAccess(config);
    // Without TCP_NODELAY small replies wait ~40 ms for the client's delayed ACK (Nagle).
    System.setProperty("sun.net.httpserver.nodelay", "true");
    this.server =
        HttpServer.create(new InetSocketAddress(config.http().host(), config.http().port()), 128);
    int threads = config.threads().http();
    AtomicInteger n = new AtomicInteger();
    this.executor =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  public void start() {
    metrics.setInFlight(inFlight::get);
    server.start();
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange http) {
    Exchange ex = new Exchange(http);
    inFlight.incrementAndGet();
    try {
      if (stopping) {
        throw new AgentException(
            AgentErrorCode.SHUTTING_DOWN, "agent is shutting down; retry elsewhere");
      }
      route(ex);
    } catch (AgentException e) {
      reply(ex, e.code(), e.getMessage());
    } catch (IOException e) {
      LOG.debug("client connection failed: {}", e.getMessage());
    } catch (RuntimeException | OutOfMemoryError | StackOverflowError e) {
      LOG.error("request {} failed", ex.requestId(), e);
      reply(
          ex,
          AgentErrorCode.ENGINE_ERROR,
          "internal error ("
              + e.getClass().getSimpleName()
              + "); see the agent log for request "
              + ex.requestId());
    } finally {
      ex.close();
      if (inFlight.decrementAndGet() == 0) {
        synchronized (inFlight) {
          inFlight.notifyAll();
        }
      }
    }
  }

  private void reply(Exchange ex, AgentErrorCode code, String message) {
    if (ex.replied()) {
      return;
    }
    if (ErrorResponses.status(code) < 500) {
      metrics.recordClientError();
    }
    try {
      ex.error(code, message);
    } catch (IOException ignored) {
      // The client went away; nothing to tell it.
    }
  }

  private void route(Exchange ex) throws IOException {
    String method = ex.method();
    String path = ex.path();
    access.check(ex);
    switch (path) {
      case "/ping" -> {
        requireMethod(ex, "GET");
        management.ping(ex);
        return;
      }
      case "/invocations" -> {
        requireMethod(ex, "POST");
        invocations.invoke(ex, management.defaultModel());
        return;
      }
      case "/metrics" -> {
        requireMethod(ex, "GET");
        management.metrics(ex);
        return;
      }
      case "/models", "/models/" -> {
        if (method.equals("GET")) {
          management.list(ex);
        } else {
          requireMethod(ex, "POST");
          management.install(ex);
        }
        return;
      }
      default -> {}
    }
    Matcher m = MODEL_PATH.matcher(path);
    if (m.matches()) {
      String name = m.group(1);
      String sub = m.group(2);
      if ("/invocations".equals(sub)) {
        requireMethod(ex, "POST");
        invocations.invoke(ex, name);
      } else if ("/variants".equals(sub)) {
        requireMethod(ex, "PUT");
        management.variants(ex, name);
      } else if (method.equals("DELETE")) {
        management.delete(ex, name);
      } else {
        requireMethod(ex, "GET");
        management.get(ex, name);
      }
      return;
    }
    Matcher p = PIPELINE_PATH.matcher(path);
    if (p.matches()) {
      requireMethod(ex, "PUT");
      management.putPipeline(ex, p.group(1));
      return;
    }
    throw new AgentException(
        AgentErrorCode.MODEL_NOT_FOUND, "no such endpoint: " + method + " " + path);
  }

  private static void requireMethod(Exchange ex, String method) {
    if (!ex.method().equals(method)) {
      throw new AgentException(
          AgentErrorCode.METHOD_NOT_ALLOWED,
          ex.path() + " accepts " + method + ", not " + ex.method());
    }
  }

  /** Stops accepting, waits up to {@code http.drainSeconds} for in-flight requests, then stops. */
  @Override
  public void close() {
    stopping = true;
    LOG.info("draining {} in-flight requests", inFlight.get());
    // HttpServer.stop(delay) on JDK 17 always waits the whole delay, so wait for our own count;
    // requests arriving meanwhile get 503 SHUTTING_DOWN.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(drainSeconds);
    synchronized (inFlight) {
      long left;
      while (inFlight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
        try {
          TimeUnit.NANOSECONDS.timedWait(inFlight, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
    }
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(drainSeconds, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
