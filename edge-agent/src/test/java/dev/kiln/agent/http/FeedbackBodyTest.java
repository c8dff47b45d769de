package dev.kiln.agent.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.feedback.Feedback;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeedbackBodyTest {
  private static List<Feedback> parse(String body) {
    return FeedbackHandler.parse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void oneItem_takesALabelAsStringOrInteger_aValue_orAReward() {
    assertThat(parse("{\"requestId\": \"r-1\", \"label\": \"cat\"}"))
        .containsExactly(new Feedback("r-1", "cat", null, null));
    assertThat(parse("{\"requestId\": \"r-1\", \"label\": 3}"))
        .containsExactly(new Feedback("r-1", "3", null, null));
    assertThat(parse("{\"requestId\": \"r-1\", \"value\": 2.5}"))
        .containsExactly(new Feedback("r-1", null, 2.5, null));
    assertThat(parse("{\"requestId\": \"r-1\", \"reward\": 1}"))
        .containsExactly(new Feedback("r-1", null, null, 1.0));
  }

  @Test
  void aBatch_keepsItsOrder() {
    assertThat(
            parse(
                "{\"feedback\": [{\"requestId\": \"a\", \"label\": 1},"
                    + " {\"requestId\": \"b\", \"value\": -1}]}"))
        .containsExactly(new Feedback("a", "1", null, null), new Feedback("b", null, -1.0, null));
  }

  @Test
  void badBodies_areRefusedWithTheReason() {
    assertInvalid("not json", "not JSON");
    assertInvalid("[1]", "send {");
    assertInvalid("{\"label\": 1}", "requestId is required");
    assertInvalid("{\"requestId\": \"a/b\", \"label\": 1}", "requestId is required");
    assertInvalid("{\"requestId\": \"a\"}", "exactly one of");
    assertInvalid("{\"requestId\": \"a\", \"label\": 1, \"value\": 2}", "exactly one of");
    assertInvalid("{\"requestId\": \"a\", \"label\": 1.5}", "label is a class");
    assertInvalid("{\"requestId\": \"a\", \"label\": \"\"}", "label is a class");
    assertInvalid("{\"requestId\": \"a\", \"value\": \"2\"}", "value must be a finite number");
    assertInvalid("{\"requestId\": \"a\", \"reward\": null}", "reward must be a finite number");
    assertInvalid("{\"requestId\": \"a\", \"label\": 1, \"extra\": 2}", "unknown field 'extra'");
    assertInvalid("{\"feedback\": []}", "non-empty array");
    assertInvalid(
        "{\"feedback\": [{\"requestId\": \"a\", \"label\": 1}], \"x\": 1}", "nothing else");
    assertInvalid("{\"feedback\": [{\"requestId\": \"a\", \"label\": 1}, 7]}", "feedback[1]");
    StringBuilder many = new StringBuilder("{\"feedback\": [");
    for (int i = 0; i <= FeedbackHandler.MAX_ITEMS; i++) {
      many.append(i == 0 ? "" : ",")
          .append("{\"requestId\": \"r")
          .append(i)
          .append("\", \"label\": 1}");
    }
    assertInvalid(many.append("]}").toString(), "at most 1000");
  }

  private static void assertInvalid(String body, String message) {
    assertThatThrownBy(() -> parse(body))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining(message)
        .satisfies(
            e -> assertThat(((AgentException) e).code()).isEqualTo(AgentErrorCode.INVALID_INPUT));
  }
}
