package dev.kiln.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OrtLoadOptionsTest {
  private static final Map<String, String> COMPILED =
      Map.of("optLevel", "NO_OPT", "intraOpNumThreads", "4", "interOpNumThreads", "1");

  private static RunnerSpec spec(int threads, Map<String, String> sessionOptions) {
    return new RunnerSpec(
        Path.of("/tmp/model.onnx"),
        "onnx",
        List.of(),
        threads,
        sessionOptions,
        List.of("input"),
        List.of("output"),
        1);
  }

  @Test
  void theManifestsLevelAndThreadsReachOnnxRuntime() {
    assertThat(OrtLoadOptions.of(spec(0, COMPILED)))
        .containsEntry("optLevel", "NO_OPT")
        .containsEntry("intraOpNumThreads", "4")
        .containsEntry("interOpNumThreads", "1");
  }

  @Test
  void theDevicesThreadSettingWinsOverTheManifest() {
    assertThat(OrtLoadOptions.of(spec(2, COMPILED)))
        .containsEntry("optLevel", "NO_OPT")
        .containsEntry("intraOpNumThreads", "2")
        .containsEntry("interOpNumThreads", "1");
  }

  @Test
  void aManifestWithoutSessionOptionsKeepsOnnxRuntimeDefaults() {
    assertThat(OrtLoadOptions.of(spec(0, Map.of()))).isEmpty();
    assertThat(OrtLoadOptions.of(spec(0, Map.of("intraOpNumThreads", "0")))).isEmpty();
  }

  @Test
  void unknownKeysAreIgnoredSoNewerCompilersDoNotBreakOlderAgents() {
    assertThat(OrtLoadOptions.of(spec(0, Map.of("optLevel", "ALL_OPT", "futureKnob", "x"))))
        .containsExactly(Map.entry("optLevel", "ALL_OPT"));
  }

  @Test
  void aValueOnnxRuntimeCannotTakeRejectsTheArtifact() {
    assertThatThrownBy(() -> OrtLoadOptions.of(spec(0, Map.of("optLevel", "FAST"))))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("engine.sessionOptions.optLevel is 'FAST'")
        .hasMessageContaining("NO_OPT")
        .extracting(e -> ((AgentException) e).code())
        .isEqualTo(AgentErrorCode.ARTIFACT_REJECTED);
    assertThatThrownBy(() -> OrtLoadOptions.of(spec(0, Map.of("intraOpNumThreads", "many"))))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("intraOpNumThreads is 'many'");
  }

  @Test
  void theFactoryHandsTheOptionsToDjl() {
    var criteria = new DjlRunnerFactory(0).criteria(spec(0, COMPILED));
    assertThat(criteria.getEngine()).isEqualTo("OnnxRuntime");
    assertThat(criteria.getOptions()).containsAllEntriesOf(COMPILED);
  }
}
