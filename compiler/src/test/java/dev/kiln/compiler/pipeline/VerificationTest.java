package dev.kiln.compiler.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.compiler.ort.HostTensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VerificationTest {
  private static Map<String, HostTensor> out(float... values) {
    return Map.of("y", HostTensor.ofFloats(new long[] {1, values.length}, values));
  }

  @Test
  void compare_judgesTinyOutputs_atTheirOwnScale() {
    // A randomly initialised mobilenet_v2 answers values near 2.7e-9.
    Map<String, HostTensor> source = out(2.7e-9f, -1.1e-9f);

    Verification noise = new Verification();
    noise.compare(0, source, out(2.7e-9f * (1 + 4e-7f), -1.1e-9f), 1e-4);
    assertThat(noise.passed()).isTrue();

    // Off by a tenth of the output: under an absolute floor of 1e-4 this passed.
    Verification drift = new Verification();
    drift.compare(0, source, out(2.4e-9f, -1.1e-9f), 1e-4);
    assertThat(drift.passed()).isFalse();
    assertThat(drift.maxRel()).isGreaterThan(0.1);
    assertThat(drift.worstDetail()).contains("output 'y' sample 0 element 0");
  }

  @Test
  void compare_isRelativeToTheLargestValue_forLargeOutputs() {
    Map<String, HostTensor> source = out(6.0f, 0.5f);
    Verification within = new Verification();
    within.compare(0, source, out(6.0005f, 0.5005f), 1e-4);
    assertThat(within.passed()).isTrue();

    Verification beyond = new Verification();
    beyond.compare(0, source, out(6.0f, 0.502f), 1e-4);
    assertThat(beyond.passed()).isFalse();
  }

  @Test
  void compare_isAbsolute_whenTheSourceOutputIsAllZero() {
    Verification ok = new Verification();
    ok.compare(0, out(0f, 0f), out(5e-5f, 0f), 1e-4);
    assertThat(ok.passed()).isTrue();

    Verification off = new Verification();
    off.compare(0, out(0f, 0f), out(2e-4f, 0f), 1e-4);
    assertThat(off.passed()).isFalse();
  }
}
