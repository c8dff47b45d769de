package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.feedback.FeedbackSink;
import dev.kiln.agent.http.access.ImportDirs;
import dev.kiln.agent.serving.InferenceService;
import dev.kiln.agent.serving.Metrics;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.serving.ModelRegistry;
import dev.kiln.agent.store.PipelineStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's HTTP API on Jetty's core server (no servlet API, no web framework: the agent must
 * stay small). Every reply is JSON except {@code /metrics}; every failure, including requests the
 * server cannot parse, is a JSON error carrying its code and the request id, and no request can
 * take the server down. Bodies are read without holding a worker thread (see {@link BodyReader}),
 * so slow clients cannot starve the others; {@link HardenedConnector} sets the timeouts and limits.
 */
public final class AgentHttpServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AgentHttpServer.class);

  static {
    // Jetty's MemoryUtils asks the platform MBean server whether object references are compressed,
    // only to pad a queue to cache lines; that starts JMX (about 250 classes and a few MB) in every
    // agent. Answering for it (64-byte lines, 4-byte references, as under the device heap cap)
    // keeps JMX out; a wrong guess only changes padding.
    if (System.getProperty("org.eclipse.jetty.util.referencesPerCacheLine") == null) {
      System.setProperty("org.eclipse.jetty.util.referencesPerCacheLine", "16");
    }
  }

  private static final Pattern MODEL_PATH =
      Pattern.compile("/models/([^/]+)(/invocations|/variants)?/?");
  private static final Pattern PIPELINE_PATH = Pattern.compile("/pipelines/([^/]+)/?");

  /**
   * One thread parked to take over selecting, so that the selector thread that read a request runs
   * it itself instead of waking a worker for it (Jetty's execute-produce-consume). Without it every
   * request paid a thread handoff: a lone CNN request 25-35 us more at p50 on 2 cores, and a p95
   * 2-3 times as long.
   */
  static final int RESERVED = 1;

  private final Server server;
  private final ServerConnector connector;
  private final InvocationHandler invocations;
  private final ManagementHandler management;
  private final OpenInferenceHandler openInference;
  private final FeedbackHandler feedback;
  private final ManagementAccess access;
  private final Metrics metrics;
  private final long maxBodyBytes;
  private final long minRequestBytesPerSecond;
  private final RequestMemory requestMemory = RequestMemory.forThisHeap();
  private final BodyBuffers bodyBuffers;
  private final int drainSeconds;
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean stopping;

  public AgentHttpServer(
      AgentConfig config,
      ModelManager models,
      InferenceService service,
      PipelineStore pipelines,
      Metrics metrics,
      FeedbackSink feedback)
      throws IOException {
    this.feedback = new FeedbackHandler(feedback);
    this.metrics = metrics;
    this.drainSeconds = config.http().drainSeconds();
    this.maxBodyBytes = config.http().maxBodyBytes();
    this.minRequestBytesPerSecond = config.http().minRequestBytesPerSecond();
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
    this.openInference =
        new OpenInferenceHandler(
            models,
            service,
            management,
            config.http().maxBodyBytes(),
            config.models().acceptNonFinite());
    this.access = new ManagementAccess(config);
    // threads.http workers run requests; the acceptor, the selector and the reserved thread need
    // threads of their own.
    int workers = config.threads().http();
    this.bodyBuffers = BodyBuffers.forBudget(requestMemory, workers);
    int threads = workers + HardenedConnector.ACCEPTORS + HardenedConnector.SELECTORS + RESERVED;
    QueuedThreadPool pool = new QueuedThreadPool(threads, threads);
    pool.setName("http");
    pool.setDaemon(true);
    pool.setReservedThreads(RESERVED);
    this.server = new Server(pool);
    server.setErrorHandler(new JsonErrorHandler(metrics));
    this.connector = HardenedConnector.create(server, config.http());
    server.addConnector(connector);
    server.setHandler(new Dispatch());
  }

  public void start() throws IOException {
    metrics.setInFlight(inFlight::get);
    try {
      server.start();
    } catch (IOException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException("cannot start the HTTP server: " + e.getMessage(), e);
    }
  }

  /** The bound port (useful with port 0). */
  public int port() {
    return connector.getLocalPort();
  }

  /** Reads the body without a thread, then runs the (blocking) handlers on a worker. */
  private final class Dispatch extends Handler.Abstract {
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
      inFlight.incrementAndGet();
      RequestMemory.Reservation memory =
          requestMemory.reservation(
              request.getHeaders().get(HttpHeader.CONTENT_TYPE),
              request.getHeaders().get(OpenInferenceHandler.HEADER_LENGTH));
      Callback done =
          Callback.from(
              callback,
              () -> {
                memory.release();
                finished();
              });
      // A request that began before shutdown is drained even if its body is still arriving.
      AgentException refusal = stopping ? shuttingDown() : unknownTransferCoding(request);
      Exchange headersOnly = new Exchange(request, response, done);
      if (refusal == null) {
        // Who may call is decided on the headers alone, so a refused caller's body is never read.
        refusal = accessRefusal(headersOnly);
      }
      if (refusal != null) {
        if (BodyReader.hasBody(request)) {
          // The unread body is dropped with the connection. Saying so up front keeps a client
          // from sending its next request down a connection the agent is about to close (the
          // JDK client did, and read EOF instead of a reply).
          response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
        }
        serve(headersOnly, refusal);
        return true;
      }
      BodyReader.read(
          request,
          maxBodyBytes,
          minRequestBytesPerSecond,
          memory,
          bodyBuffers,
          new BodyReader.Outcome() {
            @Override
            public void received(byte[] buffer, int length) {
              try {
                serve(headersOnly.withBody(buffer, length), null);
              } finally {
                // Served: the handlers and what they decoded no longer read it.
                bodyBuffers.give(buffer);
              }
            }

            @Override
            public void refused(AgentException reason) {
              serve(headersOnly, reason);
            }

            @Override
            public void failed(Throwable failure) {
              AgentException refusal = readFailure(failure);
              if (refusal == null) {
                LOG.debug("client connection failed: {}", failure.toString());
                done.failed(failure);
              } else {
                serve(headersOnly, refusal);
              }
            }
          });
      return true;
    }
  }

  private AgentException accessRefusal(Exchange ex) {
    try {
      access.check(ex);
      return null;
    } catch (AgentException e) {
      return e;
    }
  }

  private static AgentException shuttingDown() {
    return new AgentException(
        AgentErrorCode.SHUTTING_DOWN, "agent is shutting down; retry elsewhere");
  }

  /**
   * Jetty accepts {@code Transfer-Encoding: gzip, chunked} and would wait for a body it cannot
   * decode; only {@code chunked} is understood here, so anything else is refused before reading.
   */
  private static AgentException unknownTransferCoding(Request request) {
    List<String> codings = request.getHeaders().getCSV(HttpHeader.TRANSFER_ENCODING, false);
    if (codings.isEmpty()
        || (codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked"))) {
      return null;
    }
    return new AgentException(
        AgentErrorCode.MALFORMED_REQUEST,
        "Transfer-Encoding '"
            + String.join(", ", codings)
            + "' is not supported; send chunked or a Content-Length");
  }

  /** A body the client sent malformed gets a JSON error; a lost client gets none. */
  private static AgentException readFailure(Throwable failure) {
    if (failure instanceof TimeoutException) {
      return new AgentException(
          AgentErrorCode.REQUEST_TIMEOUT,
          "the request body stopped arriving (http.idleTimeoutSeconds)");
    }
    if (failure instanceof HttpException http) {
      AgentErrorCode code = ErrorResponses.codeFor(http.getCode());
      return new AgentException(
          ErrorResponses.status(code) < 500 ? code : AgentErrorCode.MALFORMED_REQUEST,
          "HTTP " + http.getCode() + ": " + http.getReason());
    }
    return null;
  }

  private void finished() {
    if (inFlight.decrementAndGet() == 0) {
      synchronized (inFlight) {
        inFlight.notifyAll();
      }
    }
  }

  /** Runs one request: routes it, or replies {@code refusal} when the body was already refused. */
  private void serve(Exchange ex, AgentException refusal) {
    try {
      if (refusal != null) {
        throw refusal;
      }
      route(ex);
    } catch (AgentException e) {
      if (e instanceof ModelRegistry.ColdStartTimeout) {
        ex.responseHeader(
            "Retry-After", Long.toString(ModelRegistry.ColdStartTimeout.RETRY_AFTER_SECONDS));
      }
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
    switch (path) {
      case "/ping" -> {
        requireMethod(ex, "GET");
        management.ping(ex);
        return;
      }
      case "/invocations" -> {
        requireMethod(ex, "POST");
        invocations.invoke(ex, management::defaultModel);
        return;
      }
      case "/feedback" -> {
        requireMethod(ex, "POST");
        feedback.post(ex);
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
    if (OpenInferenceHandler.owns(path)) {
      openInference.route(ex);
      return;
    }
    Matcher m = MODEL_PATH.matcher(path);
    if (m.matches()) {
      String name = m.group(1);
      String sub = m.group(2);
      if ("/invocations".equals(sub)) {
        requireMethod(ex, "POST");
        invocations.invokeModel(ex, name);
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

  /** Waits up to {@code http.drainSeconds} for in-flight requests, then stops the server. */
  @Override
  public void close() {
    stopping = true;
    LOG.info("draining {} in-flight requests", inFlight.get());
    // Requests arriving meanwhile (new connections or kept-alive ones) get 503 SHUTTING_DOWN.
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
    try {
      server.stop();
    } catch (Exception e) {
      LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
    }
  }
}
