package dev.kiln.bench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The HTTP floor answers each method with its own reply, a POST only once its body is read. */
class BareJettyTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void getAndPost_getTheirOwnReplies_overOneKeptConnection() throws Exception {
    byte[] body = new byte[40_000]; // several reads' worth: the reply must wait for all of it
    try (BareJetty bare = new BareJetty(2, bytes("{\"status\":\"ok\"}"), bytes("{\"outputs\":1}"));
        SocketInvoker get = new SocketInvoker(bare.baseUrl(), "/ping", null, null, Map.of());
        SocketInvoker post =
            new SocketInvoker(
                bare.baseUrl(), "/invocations", "application/x-npy", body, Map.of())) {
      for (int i = 0; i < 3; i++) {
        assertThat(new String(get.invoke(), StandardCharsets.UTF_8))
            .isEqualTo("{\"status\":\"ok\"}");
        assertThat(new String(post.invoke(), StandardCharsets.UTF_8)).isEqualTo("{\"outputs\":1}");
      }
    }
  }
}
