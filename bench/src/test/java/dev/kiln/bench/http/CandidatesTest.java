package dev.kiln.bench.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Every candidate must serve the same routes the same way over one keep-alive connection, or the
 * benchmark would compare errors, closes or different work. No timings here.
 */
class CandidatesTest {
  @Test
  void payloads_haveTheAdvertisedSizes() {
    assertThat(Payloads.INVOCATION_BODY.length).isBetween(3900, 4096);
    assertThat(Payloads.INVOCATION_REPLY.length).isBetween(900, 1024);
    assertThat(new String(Payloads.INVOCATION_BODY, StandardCharsets.US_ASCII))
        .startsWith("{\"inputs\":[{")
        .endsWith("]}]}");
  }

  @TestFactory
  Stream<DynamicTest> eachCandidate_servesBothRoutes_andRefusesTheRest_onOneConnection() {
    return Arrays.stream(Candidate.values())
        .map(c -> DynamicTest.dynamicTest(c.label(), () -> servesTheContract(c)));
  }

  private static void servesTheContract(Candidate candidate) throws Exception {
    byte[] shortBody =
        ("POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n\r\n{}")
            .getBytes(StandardCharsets.US_ASCII);
    byte[] unknown =
        "GET /nothing-here HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    try (BenchServer server = candidate.start(2);
        KeepAliveConnection c = KeepAliveConnection.open(server.port(), 10_000)) {
      assertThat(c.exchange(Requests.PING)).isEqualTo(200);
      assertThat(c.exchange(Requests.INVOCATIONS)).isEqualTo(200);
      assertThat(c.exchange(Requests.INVOCATIONS)).isEqualTo(200);
      assertThat(c.exchange(shortBody)).isEqualTo(400);
      assertThat(c.exchange(unknown)).isEqualTo(404);
      assertThat(c.exchange(Requests.PING)).isEqualTo(200);
      assertThat(c.serverCloses()).isFalse();
    }
  }
}
