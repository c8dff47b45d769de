package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.agent.AgentProcess;
import dev.kiln.artifact.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Requests the HTTP server itself cannot accept, sent over a raw socket: each gets a 4xx with
 * Kiln's JSON error body (never the server library's HTML page), and no reply names the server.
 */
class MalformedHttpIT {
  private static AgentProcess agent;

  @BeforeAll
  static void start() throws Exception {
    agent = new AgentProcess(AgentProcess.tmp("malformed-http"), c -> {}).start();
  }

  @AfterAll
  static void stop() throws Exception {
    agent.close();
  }

  /** A reply read off the socket: status line, headers (lower-case names) and body. */
  private record RawReply(int status, Map<String, String> headers, String body) {}

  private static RawReply exchange(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", agent.port())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      return read(socket.getInputStream());
    }
  }

  /** One reply off a connection, which stays open for the next. */
  private static RawReply read(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed before a reply; got: " + head);
      }
      head.write(b);
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    Matcher status = Pattern.compile("HTTP/1\\.1 (\\d{3}).*").matcher(lines[0]);
    if (!status.matches()) {
      // Once in 18 CI runs the reply to the oversized-header request began with that request's
      // 3,656 bytes past the 16 KiB header limit; all that was kept was that first line. Show the
      // whole reply (runs of one character shortened) if it happens again.
      String rest;
      try {
        rest = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      } catch (IOException e) {
        rest = "(" + e + ")";
      }
      throw new AssertionError(
          "reply does not start with a status line: "
              + shown(head.toString(StandardCharsets.ISO_8859_1))
              + " then "
              + shown(rest));
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      headers.put(
          lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
          lines[i].substring(colon + 1).strip());
    }
    int length = Integer.parseInt(headers.getOrDefault("content-length", "0"));
    byte[] body = in.readNBytes(length);
    return new RawReply(
        Integer.parseInt(status.group(1)), headers, new String(body, StandardCharsets.UTF_8));
  }

  private static String shown(String head) {
    return head.replaceAll("(.)\\1{19,}", "<$1 x many>").replace("\r", "\\r").replace("\n", "\\n");
  }

  private static void assertKilnJsonError(String name, String request) throws IOException {
    RawReply reply = exchange(request);
    assertThat(reply.status()).as("%s: %s", name, reply).isBetween(400, 499);
    assertThat(reply.headers().get("content-type")).as(name).startsWith("application/json");
    assertThat(reply.headers()).as(name).doesNotContainKey("server");
    JsonNode body = Json.MAPPER.readTree(reply.body());
    assertThat(body.path("code").asText()).as("%s: %s", name, reply.body()).isNotBlank();
    assertThat(body.path("message").asText()).as(name).isNotBlank();
    assertThat(body.path("requestId").asText()).as(name).isNotBlank();
    assertThat(body.path("retryable").isBoolean()).as(name).isTrue();
  }

  @Test
  void malformedRequests_get4xxKilnJson() throws IOException {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("garbage request line", "GARBAGE\r\n\r\n");
    cases.put("unknown HTTP version", "GET /ping HTTP/9.9\r\nHost: agent\r\n\r\n");
    cases.put("no Host", "GET /ping HTTP/1.1\r\n\r\n");
    cases.put(
        "oversized header",
        "GET /ping HTTP/1.1\r\nHost: agent\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n");
    cases.put("URI too long", "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: agent\r\n\r\n");
    cases.put(
        "non-numeric Content-Length",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nContent-Length: abc\r\n\r\n");
    cases.put(
        "negative Content-Length",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nContent-Length: -5\r\n\r\n");
    cases.put(
        "two different Content-Lengths",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}");
    cases.put(
        "unknown Transfer-Encoding",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nTransfer-Encoding: gzip\r\n\r\n");
    cases.put(
        "unknown coding before chunked",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nTransfer-Encoding: foo, chunked\r\n\r\n0\r\n\r\n");
    cases.put(
        "bad chunk size",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n\r\n");
    cases.put(
        "Content-Length with Transfer-Encoding",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nContent-Length: 4\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
    cases.put("ambiguous path", "GET /models/%2e%2e/x HTTP/1.1\r\nHost: agent\r\n\r\n");
    cases.put("header without colon", "GET /ping HTTP/1.1\r\nHost: agent\r\nNoColon\r\n\r\n");
    cases.put(
        "declared body over http.maxBodyBytes",
        "POST /invocations HTTP/1.1\r\nHost: agent\r\nContent-Length: 99999999999\r\n\r\n");
    for (var c : cases.entrySet()) {
      assertKilnJsonError(c.getKey(), c.getValue());
    }
  }

  @Test
  void bodiesAreFramedAsHttp11Says_chunkedOnesReadToTheLastChunk_andNoLengthMeansNoBody()
      throws IOException {
    String auth = "Authorization: Bearer " + agent.token() + "\r\n";
    // A body the reply depends on: an install with a placement that does not exist.
    String install = "{\"artifact\":\"framing.kiln\",\"placement\":\"sideways\"}";
    RawReply chunked =
        exchange(
            "POST /models HTTP/1.1\r\nHost: agent\r\n"
                + auth
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n"
                + Integer.toHexString(install.length())
                + "\r\n"
                + install
                + "\r\n0\r\n\r\n");
    assertThat(chunked.status()).as(chunked.toString()).isEqualTo(400);
    assertThat(chunked.body()).contains("placement must be replace, variant or shadow");

    // Neither Content-Length nor Transfer-Encoding: the request has no body, so what follows its
    // headers is the connection's next request, answered in turn, not a body to wait for.
    try (Socket socket = new Socket("127.0.0.1", agent.port())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /models HTTP/1.1\r\nHost: agent\r\n"
                      + auth
                      + "Content-Type: application/json\r\n\r\n"
                      + "GET /metrics HTTP/1.1\r\nHost: agent\r\n"
                      + auth
                      + "\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      RawReply noBody = read(socket.getInputStream());
      assertThat(noBody.status()).as(noBody.toString()).isEqualTo(400);
      assertThat(noBody.body()).doesNotContain("placement");
      RawReply next = read(socket.getInputStream());
      assertThat(next.status()).as(next.toString()).isEqualTo(200);
      assertThat(next.body()).contains("kiln_");
    }
  }

  @Test
  void aRefusedRequest_keepsItsConnection_unlessItsBodyWasLeftUnread() throws IOException {
    try (Socket socket = new Socket("127.0.0.1", agent.port())) {
      socket.setSoTimeout(10_000);
      // No token: refused on its headers. Without a body nothing is left unread, so the
      // connection carries the next request.
      socket
          .getOutputStream()
          .write(
              ("GET /models HTTP/1.1\r\nHost: agent\r\n\r\n"
                      + "GET /metrics HTTP/1.1\r\nHost: agent\r\n\r\n")
                  .getBytes(StandardCharsets.ISO_8859_1));
      socket.getOutputStream().flush();
      RawReply refused = read(socket.getInputStream());
      assertThat(refused.status()).as(refused.toString()).isEqualTo(401);
      assertThat(refused.headers().get("connection")).as(refused.toString()).isNull();
      RawReply next = read(socket.getInputStream());
      assertThat(next.status()).as(next.toString()).isEqualTo(200);
      assertThat(next.body()).contains("kiln_");
    }
    // Refused with its body unread: the connection closes, and the reply says so first.
    RawReply refusedWithBody =
        exchange(
            "POST /models HTTP/1.1\r\nHost: agent\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}");
    assertThat(refusedWithBody.status()).as(refusedWithBody.toString()).isEqualTo(401);
    assertThat(refusedWithBody.headers().get("connection")).isEqualTo("close");
  }

  @Test
  void repliesDoNotNameTheServer() throws IOException {
    RawReply reply = exchange("GET /metrics HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n");
    assertThat(reply.status()).isEqualTo(200);
    assertThat(reply.headers()).doesNotContainKey("server").doesNotContainKey("x-powered-by");
  }
}
