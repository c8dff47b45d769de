package dev.kiln.compiler.accuracy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.kiln.compiler.ort.HostTensor;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccuracyGateTest {
  private final AccuracyGate gate = new AccuracyGate(GateThresholds.DEFAULTS);

  private static Map<String, HostTensor> logits(float... values) {
    return Map.of("logits", HostTensor.ofFloats(new long[] {1, values.length}, values));
  }

  private static Map<String, HostTensor> featureMap(float... values) {
    return Map.of("map", HostTensor.ofFloats(new long[] {1, 1, 1, values.length}, values));
  }

  @Test
  void identicalOutputs_pass_withInfiniteSqnrAndFullAgreement() {
    GateResult r = gate.judge(List.of(logits(1, 2, 3)), List.of(logits(1, 2, 3)));

    assertThat(r.passed()).isTrue();
    OutputFigures f = r.outputs().get(0);
    assertThat(f.top1Agreement()).isEqualTo(1.0);
    assertThat(f.sqnrDb()).isInfinite().isPositive();
    assertThat(f.relativeError()).isZero();
    assertThat(r.heldOutSamples()).isEqualTo(1);
  }

  @Test
  void sqnrAndRelativeError_matchHandComputedFigures() {
    // signal 3^2 + 4^2 = 25, noise 0.3^2 + 0.4^2 = 0.25: SQNR 10 log10(100) = 20 dB, rel 0.1.
    GateResult r = gate.judge(List.of(featureMap(3, 4)), List.of(featureMap(3.3f, 4.4f)));

    OutputFigures f = r.outputs().get(0);
    assertThat(f.top1Agreement()).isNull();
    assertThat(f.sqnrDb()).isCloseTo(20.0, within(1e-4));
    assertThat(f.relativeError()).isCloseTo(0.1, within(1e-6));
    assertThat(f.maxAbsError()).isCloseTo(0.4, within(1e-6));
  }

  @Test
  void sqnrSumsEnergyOverSamples_whileRelativeErrorKeepsTheWorstSample() {
    // Sample 1: signal 100, noise 0. Sample 2: signal 1, noise 0.25 (rel 0.5).
    GateResult r =
        gate.judge(
            List.of(featureMap(10, 0), featureMap(1, 0)),
            List.of(featureMap(10, 0), featureMap(1, 0.5f)));

    OutputFigures f = r.outputs().get(0);
    assertThat(f.sqnrDb()).isCloseTo(10 * Math.log10(101 / 0.25), within(1e-4));
    assertThat(f.relativeError()).isCloseTo(0.5, within(1e-6));
    assertThat(r.passed()).isFalse();
    assertThat(r.failures()).singleElement().asString().contains("relative error 0.5");
  }

  @Test
  void oneFlippedAnswerInTwo_failsTop1_andNamesTheFigures() {
    // Sample 2's fp32 margin (1) is above 2x the RMS noise (sqrt(1.44 / 6) = 0.49): a real flip.
    GateResult r =
        gate.judge(
            List.of(logits(5, 1, 0), logits(0, 1, 0)),
            List.of(logits(5, 1, 0), logits(1.2f, 1, 0)));

    assertThat(r.outputs().get(0).top1Agreement()).isEqualTo(0.5);
    assertThat(r.outputs().get(0).ties()).isZero();
    assertThat(r.passed()).isFalse();
    assertThat(r.failures())
        .anySatisfy(l -> assertThat(l).contains("top-1 agreement 50.0% (1 of 2) is below 99.0%"));
  }

  @Test
  void rowsWhereFp32IsUndecidedWithinTheNoise_areTies_notDisagreements() {
    // Sample 2's fp32 margin (0.01) is below 2x the RMS noise (sqrt(0.0004 / 6) = 0.008).
    GateResult r =
        gate.judge(
            List.of(logits(5, 1, 0), logits(2, 2.01f, 0)),
            List.of(logits(5, 1, 0), logits(2.02f, 2.01f, 0)));

    OutputFigures f = r.outputs().get(0);
    assertThat(f.ties()).isEqualTo(1);
    assertThat(f.top1Agreement()).isEqualTo(1.0);
    assertThat(r.passed()).isTrue();
  }

  @Test
  void allRowsTies_top1IsNotJudged() {
    GateResult r = gate.judge(List.of(logits(1, 1, 1)), List.of(logits(1, 1.001f, 1)));

    assertThat(r.outputs().get(0).top1Agreement()).isNull();
    assertThat(r.outputs().get(0).ties()).isEqualTo(1);
  }

  @Test
  void lowSqnr_fails_evenWhenTop1Agrees() {
    // Signal 25+0, noise 1+1: SQNR 11 dB, rel err 0.28; the arg-max is still 0.
    GateResult r = gate.judge(List.of(logits(5, 0)), List.of(logits(4, 1)));

    assertThat(r.outputs().get(0).top1Agreement()).isEqualTo(1.0);
    assertThat(r.outputs().get(0).sqnrDb()).isCloseTo(10 * Math.log10(12.5), within(1e-4));
    assertThat(r.passed()).isFalse();
    assertThat(r.failures()).anySatisfy(l -> assertThat(l).contains("SQNR 11.0 dB"));
  }

  @Test
  void batchedClassifier_countsEveryRow() {
    // Six rows, one flipped: noise 200 over 12 elements, RMS 4.1, so margins of 10 are decisive.
    float[] want = {10, 0, 10, 0, 10, 0, 10, 0, 10, 0, 0, 10};
    float[] have = {10, 0, 10, 0, 10, 0, 10, 0, 10, 0, 10, 0};
    GateResult r =
        gate.judge(
            List.of(Map.of("p", HostTensor.ofFloats(new long[] {6, 2}, want))),
            List.of(Map.of("p", HostTensor.ofFloats(new long[] {6, 2}, have))));

    assertThat(r.outputs().get(0).top1Agreement()).isCloseTo(5.0 / 6, within(1e-9));
  }

  @Test
  void nanInTheReducedOutput_fails() {
    GateResult r = gate.judge(List.of(featureMap(1, 2)), List.of(featureMap(1, Float.NaN)));

    assertThat(r.passed()).isFalse();
    assertThat(r.outputs().get(0).sqnrDb()).isNegative();
  }

  @Test
  void classifierRule_needsFloatRankAtMostTwoAndTwoClasses() {
    assertThat(AccuracyGate.isClassifier(HostTensor.ofFloats(new long[] {1, 10}, new float[10])))
        .isTrue();
    assertThat(AccuracyGate.isClassifier(HostTensor.ofFloats(new long[] {1, 1}, new float[1])))
        .isFalse();
    assertThat(AccuracyGate.isClassifier(HostTensor.ofFloats(new long[] {1, 2, 2}, new float[4])))
        .isFalse();
    assertThat(AccuracyGate.isClassifier(HostTensor.ofLongs(new long[] {1, 3}, new long[3])))
        .isFalse();
  }

  @Test
  void looserThresholds_passWhatDefaultsRefuse() {
    GateResult r =
        new AccuracyGate(GateThresholds.DEFAULTS.withMinSqnrDb(10).withMaxRelativeError(0.3))
            .judge(List.of(logits(5, 0)), List.of(logits(4, 1)));

    assertThat(r.passed()).isTrue();
    assertThat(r.summary()).contains("top-1 agreement 100.0%").contains("SQNR 11.0 dB");
  }

  @Test
  void mismatchedSampleCounts_areRefused() {
    assertThatThrownBy(() -> gate.judge(List.of(logits(1, 2)), List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
