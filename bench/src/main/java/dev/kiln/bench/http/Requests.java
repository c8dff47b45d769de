package dev.kiln.bench.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** The two requests the clients send, encoded once so a client's loop only writes bytes. */
enum Requests {
  PING("GET /ping", "GET /ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", new byte[0]),
  INVOCATIONS(
      "POST /invocations",
      "POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
          + "Content-Length: "
          + Payloads.INVOCATION_BODY.length
          + "\r\n\r\n",
      Payloads.INVOCATION_BODY);

  private final String label;
  private final byte[] bytes;

  Requests(String label, String head, byte[] body) {
    this.label = label;
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    all.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
    all.writeBytes(body);
    this.bytes = all.toByteArray();
  }

  String label() {
    return label;
  }

  /** The whole request, head and body: one write. */
  byte[] bytes() {
    return bytes;
  }
}
