package dev.kiln.agent.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.artifact.ArtifactErrorCode;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.error.ExitCode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class ExitCodesTest {
  private final StringWriter err = new StringWriter();

  private int handle(Exception e) {
    return ExitCodes.of(e, new PrintWriter(err, true));
  }

  @Test
  void anAgentError_exitsWithItsCodesNumber_andNamesTheCode() {
    int exit = handle(new AgentException(AgentErrorCode.MODEL_NOT_FOUND, "no model cnn"));

    assertThat(exit).isEqualTo(ExitCode.NOT_FOUND.number());
    assertThat(err.toString()).isEqualTo("kiln-agent: MODEL_NOT_FOUND: no model cnn\n");
  }

  @Test
  void codesThatMeanTheSame_exitTheSameAsOnEveryOtherLauncher() {
    assertThat(handle(new AgentException(AgentErrorCode.INVALID_CONFIG, "x")))
        .isEqualTo(ExitCode.USAGE.number());
    assertThat(handle(new AgentException(AgentErrorCode.ARTIFACT_REJECTED, "x")))
        .isEqualTo(handle(new ArtifactException(ArtifactErrorCode.UNSIGNED, "x")))
        .isEqualTo(9);
    assertThat(handle(new AgentException(AgentErrorCode.ENGINE_ERROR, "x")))
        .isEqualTo(ExitCode.RUNTIME_FAILED.number());
  }

  @Test
  void anythingElse_isAnInternalError_withItsStackTrace() {
    assertThat(handle(new IllegalStateException("boom"))).isEqualTo(70);
    assertThat(err.toString()).contains("boom").contains("at ");
  }
}
