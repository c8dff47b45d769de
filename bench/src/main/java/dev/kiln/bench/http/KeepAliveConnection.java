package dev.kiln.bench.http;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A blocking HTTP/1.1 client on one keep-alive socket, as small as a client can be: it writes a
 * pre-encoded request in one call and reads the reply's head and Content-Length bytes of body. No
 * pool, no selector thread, no futures, no header map: what it costs per request is a few system
 * calls and a line scan, so the figures are the server's, not the client's. Replies without a
 * Content-Length are refused (every candidate here sends one).
 */
final class KeepAliveConnection implements AutoCloseable {
  private static final int MAX_LINE = 8192;

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;
  private final byte[] line = new byte[MAX_LINE];
  private final byte[] body = new byte[64 * 1024];
  private boolean serverCloses;

  private KeepAliveConnection(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new BufferedInputStream(socket.getInputStream(), 16 * 1024);
  }

  /** Connects to loopback:port; reads block at most {@code timeoutMillis} (0: forever). */
  static KeepAliveConnection open(int port, int timeoutMillis) throws IOException {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(timeoutMillis);
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
      return new KeepAliveConnection(socket);
    } catch (IOException e) {
      socket.close();
      throw e;
    }
  }

  /** Sends the request, reads the whole reply; returns its status code. */
  int exchange(Requests request) throws IOException {
    return exchange(request.bytes());
  }

  /** Sends raw request bytes (head and body), reads the whole reply; returns its status code. */
  int exchange(byte[] request) throws IOException {
    out.write(request);
    return readReply();
  }

  /** Writes raw bytes without reading: how a slow client trickles its request. */
  void send(byte[] bytes) throws IOException {
    out.write(bytes);
  }

  /** True after a reply that said {@code Connection: close}: open a new connection. */
  boolean serverCloses() {
    return serverCloses;
  }

  private int readReply() throws IOException {
    int n = readLine();
    // "HTTP/1.1 200 OK": the status is the three digits after the first space.
    int status = 0;
    for (int i = 9; i < 12 && i < n; i++) {
      status = status * 10 + (line[i] - '0');
    }
    long length = -1;
    while ((n = readLine()) > 0) {
      if (startsWithIgnoreCase(n, "content-length:")) {
        length = Long.parseLong(value(n, "content-length:".length()));
      } else if (startsWithIgnoreCase(n, "transfer-encoding:")) {
        throw new IOException("chunked reply; this client reads only Content-Length bodies");
      } else if (startsWithIgnoreCase(n, "connection:")) {
        serverCloses = value(n, "connection:".length()).equalsIgnoreCase("close");
      }
    }
    if (length < 0) {
      throw new IOException("reply without Content-Length");
    }
    for (long left = length; left > 0; ) {
      int r = in.read(body, 0, (int) Math.min(body.length, left));
      if (r < 0) {
        throw new EOFException("connection closed inside a reply body");
      }
      left -= r;
    }
    return status;
  }

  /** Reads one line into {@link #line} without its CRLF; returns its length. */
  private int readLine() throws IOException {
    int n = 0;
    while (true) {
      int c = in.read();
      if (c < 0) {
        throw new EOFException("connection closed by the server");
      }
      if (c == '\n') {
        return n > 0 && line[n - 1] == '\r' ? n - 1 : n;
      }
      if (n == MAX_LINE) {
        throw new IOException("reply header line longer than " + MAX_LINE + " bytes");
      }
      line[n++] = (byte) c;
    }
  }

  private boolean startsWithIgnoreCase(int n, String prefix) {
    if (n < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (Character.toLowerCase(line[i]) != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private String value(int n, int from) {
    return new String(line, from, n - from, StandardCharsets.US_ASCII).trim();
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
