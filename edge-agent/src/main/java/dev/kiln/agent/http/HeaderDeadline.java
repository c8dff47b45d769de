package dev.kiln.agent.http;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.eclipse.jetty.util.component.AbstractLifeCycle;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes connections whose request line and headers take longer than the deadline to arrive. The
 * idle timeout alone cannot: it restarts with every byte, so a client sending one header byte every
 * 5 s (slowloris) would hold its connection for ever. Jetty parses headers without a worker thread,
 * so such a client costs a connection, not a thread; this frees the connection too.
 *
 * <p>Once a second it looks at each HTTP/1.1 connection's parser: one that has been inside the same
 * request's line or headers for longer than the deadline is closed. Jetty 12 has no header timeout
 * of its own, so this reads its {@code internal.HttpConnection}; check it on Jetty upgrades
 * (SlowClientsIT fails if it stops working).
 */
final class HeaderDeadline extends AbstractLifeCycle implements Connection.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(HeaderDeadline.class);
  private static final long SWEEP_MILLIS = 1000;

  private final Scheduler scheduler;
  private final long deadlineNanos;
  private final Map<HttpConnection, Watch> open = new ConcurrentHashMap<>();
  private volatile Scheduler.Task next;

  /** When a connection was first seen in the headers of its {@code messagesIn}-th request. */
  private record Watch(long messagesIn, long sinceNanos) {}

  private static final Watch IDLE = new Watch(-1, 0);

  HeaderDeadline(Scheduler scheduler, int deadlineSeconds) {
    this.scheduler = scheduler;
    this.deadlineNanos = TimeUnit.SECONDS.toNanos(deadlineSeconds);
  }

  @Override
  public void onOpened(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.put(http, IDLE);
    }
  }

  @Override
  public void onClosed(Connection connection) {
    if (connection instanceof HttpConnection http) {
      open.remove(http);
    }
  }

  @Override
  protected void doStart() {
    schedule();
  }

  @Override
  protected void doStop() {
    Scheduler.Task task = next;
    if (task != null) {
      task.cancel();
    }
    open.clear();
  }

  private void schedule() {
    if (isRunning() || isStarting()) {
      next = scheduler.schedule(this::sweep, SWEEP_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void sweep() {
    try {
      long now = System.nanoTime();
      open.replaceAll((connection, watch) -> check(connection, watch, now));
    } catch (RuntimeException e) {
      LOG.warn("header deadline sweep failed", e);
    } finally {
      schedule();
    }
  }

  private Watch check(HttpConnection connection, Watch watch, long now) {
    HttpParser parser = connection.getParser();
    boolean inHeaders = parser.inHeaderState() && !parser.isStart();
    if (!inHeaders) {
      return IDLE;
    }
    long messages = connection.getMessagesIn();
    if (watch.messagesIn() != messages) {
      return new Watch(messages, now);
    }
    if (now - watch.sinceNanos() > deadlineNanos) {
      LOG.debug("closing {}: request headers still incomplete after the deadline", connection);
      connection.getEndPoint().close();
    }
    return watch;
  }
}
