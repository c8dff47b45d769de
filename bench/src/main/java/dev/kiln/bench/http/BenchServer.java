package dev.kiln.bench.http;

/**
 * One candidate serving the benchmark's two routes on loopback:
 *
 * <ul>
 *   <li>{@code GET /ping}: {@link Payloads#PING_REPLY};
 *   <li>{@code POST /invocations}: reads the whole body on a worker thread with a blocking read (as
 *       the agent does before its blocking engine call), answers 400 unless it got exactly {@link
 *       Payloads#INVOCATION_BODY}'s length, else {@link Payloads#INVOCATION_REPLY};
 *   <li>anything else: 404.
 * </ul>
 *
 * Every reply is {@code application/json} with a Content-Length. Each server gets one I/O thread
 * (acceptor, selector or event loop, as it names it) and the same number of worker threads.
 */
interface BenchServer extends AutoCloseable {
  int port();

  @Override
  void close() throws Exception;

  /** How many bytes the handler expects: a short read must not pass for a full one. */
  static boolean fullBody(int length) {
    return length == Payloads.INVOCATION_BODY.length;
  }
}
