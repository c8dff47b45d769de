package dev.kiln.agent.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.link.protocol.ReplyCode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The reasons an install can fail are named alike in the agent's HTTP errors and in its replies to
 * fleet commands, so an operator reads one vocabulary however the artifact arrived.
 */
class SharedCodeNamesTest {
  @Test
  void installFailures_travelUnderTheSameNameInHttpErrorsAndCommandReplies() {
    for (AgentErrorCode code :
        List.of(
            AgentErrorCode.ARTIFACT_REJECTED,
            AgentErrorCode.INCOMPATIBLE_ARTIFACT,
            AgentErrorCode.HEALTH_CHECK_FAILED)) {
      assertThat(ReplyCode.of(code.name())).as(code.name()).isPresent();
    }
  }
}
