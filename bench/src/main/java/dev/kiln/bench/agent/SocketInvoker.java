package dev.kiln.bench.agent;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * The leanest HTTP/1.1 client a latency figure can have: one blocking keep-alive socket with
 * TCP_NODELAY, a request prebuilt as bytes and written in one call, and the reply read by its
 * {@code Content-Length} on the calling thread. The JDK's {@code HttpClient} hands each exchange
 * between its selector thread, an executor and the caller; on 2 shared cores that cost about 1 ms
 * per request (an empty {@code GET /ping} took 1.3 ms at p50), more than the agent's whole serving
 * path, so per-request overhead is timed with this client instead, as wrk or perf_analyzer would
 * see it. Not thread-safe: one per client.
 */
public final class SocketInvoker implements AutoCloseable {
  private final String host;
  private final int port;
  private final byte[] request;
  private final String target;
  private Socket socket;
  private OutputStream out;
  private InputStream in;

  /**
   * @param body null for a GET
   */
  public SocketInvoker(
      String baseUrl, String path, String contentType, byte[] body, Map<String, String> headers) {
    URI uri = URI.create(baseUrl);
    this.host = uri.getHost();
    this.port = uri.getPort();
    this.target = path;
    StringBuilder head =
        new StringBuilder()
            .append(body == null ? "GET " : "POST ")
            .append(path)
            .append(" HTTP/1.1\r\nHost: ")
            .append(host)
            .append(':')
            .append(port)
            .append("\r\n");
    if (body != null) {
      head.append("Content-Type: ")
          .append(contentType)
          .append("\r\nContent-Length: ")
          .append(body.length)
          .append("\r\n");
    }
    headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
    head.append("\r\n");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(head.toString().getBytes(StandardCharsets.US_ASCII));
    if (body != null) {
      bytes.writeBytes(body);
    }
    this.request = bytes.toByteArray();
  }

  /**
   * One request; throws unless the server answered 200, so a benchmark never counts errors.
   *
   * @return the reply's body
   */
  public byte[] invoke() throws IOException {
    if (socket == null) {
      socket = new Socket();
      socket.setTcpNoDelay(true);
      socket.connect(new InetSocketAddress(host, port), 2000);
      socket.setSoTimeout(30_000);
      out = socket.getOutputStream();
      in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
    }
    out.write(request);
    out.flush();
    String status = line();
    long length = -1;
    boolean close = false;
    for (String h = line(); !h.isEmpty(); h = line()) {
      String lower = h.toLowerCase(Locale.ROOT);
      if (lower.startsWith("content-length:")) {
        length = Long.parseLong(lower.substring(15).strip());
      } else if (lower.startsWith("connection:") && lower.contains("close")) {
        close = true;
      }
    }
    if (length < 0) {
      throw new IOException(target + ": reply without Content-Length");
    }
    byte[] body = in.readNBytes((int) length);
    if (close) {
      close();
    }
    if (!status.startsWith("HTTP/1.1 200")) {
      throw new IOException(
          target + " answered " + status + ": " + new String(body, StandardCharsets.UTF_8));
    }
    return body;
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException(target + ": connection closed mid-reply");
      }
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Override
  public void close() throws IOException {
    if (socket != null) {
      socket.close();
      socket = null;
    }
  }
}
