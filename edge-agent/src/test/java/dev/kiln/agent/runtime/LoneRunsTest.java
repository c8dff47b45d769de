package dev.kiln.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.kiln.agent.TestArtifacts;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The decision {@link LoneRuns} makes from the engine times it is given (fed here, so nothing
 * depends on this host's speed), on a real session of the sample CNN.
 */
class LoneRunsTest {
  private static final long MS = 1_000_000;

  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger warmedCalls = new AtomicInteger();

  private LoneRuns loneRuns() {
    return new LoneRuns(
        "cnn",
        2,
        () -> {
          created.incrementAndGet();
          return OrtEnvironment.getEnvironment()
              .createSession(
                  TestArtifacts.repoRoot().resolve("samples/models/cnn/cnn.onnx").toString(),
                  new OrtSession.SessionOptions());
        },
        (session, times) -> warmedCalls.addAndGet(times));
  }

  private static void feed(LoneRuns lone, boolean onWide, long nanos, int runs) {
    for (int i = 0; i < runs; i++) {
      lone.timed(onWide, nanos);
    }
  }

  private static void awaitWideSession(LoneRuns lone) {
    await().atMost(Duration.ofSeconds(30)).until(() -> lone.state() != LoneRuns.State.CREATING);
    assertThat(lone.state()).isEqualTo(LoneRuns.State.SAMPLING_WIDE);
    assertThat(lone.session()).isNotNull();
  }

  @Test
  void aModelFasterThanTwoMilliseconds_neverGetsASecondSession() {
    LoneRuns lone = loneRuns();
    feed(lone, false, MS / 10, LoneRuns.SKIPPED + LoneRuns.SAMPLES);
    assertThat(lone.state()).isEqualTo(LoneRuns.State.NEVER);
    assertThat(lone.session()).isNull();
    feed(lone, false, 50 * MS, 5 * LoneRuns.RECHECK_RUNS);
    assertThat(created).hasValue(0);
  }

  @Test
  void aSlowModel_getsAWarmedWideSession_keptWhileItIsFaster() {
    try (LoneRuns lone = loneRuns()) {
      // The first runs are not timed: a slow first call must not count.
      feed(lone, false, 500 * MS, LoneRuns.SKIPPED);
      feed(lone, false, 9 * MS, LoneRuns.SAMPLES);
      awaitWideSession(lone);
      assertThat(created).hasValue(1);
      assertThat(warmedCalls).hasValue(LoneRuns.WARM_UP_RUNS);
      // Runs that did not get the wide session while it is sampled do not count as its samples.
      feed(lone, false, 1 * MS, 3);
      feed(lone, true, 5 * MS, LoneRuns.SAMPLES);
      assertThat(lone.state()).isEqualTo(LoneRuns.State.WIDE);
      assertThat(lone.session()).isNotNull();
      assertThat(lone.wideRuns()).isEqualTo(LoneRuns.SAMPLES);

      // Measured again after RECHECK_RUNS lone runs: now the wide session is no faster.
      feed(lone, true, 5 * MS, LoneRuns.RECHECK_RUNS);
      assertThat(lone.state()).isEqualTo(LoneRuns.State.SAMPLING_NARROW);
      assertThat(lone.session()).as("lone runs go to one predictor while it is sampled").isNull();
      feed(lone, false, 9 * MS, LoneRuns.SAMPLES);
      assertThat(lone.state()).isEqualTo(LoneRuns.State.SAMPLING_WIDE);
      feed(lone, true, 8 * MS, LoneRuns.SAMPLES);
      assertThat(lone.state()).isEqualTo(LoneRuns.State.NARROW);
      assertThat(lone.session()).isNull();
      assertThat(created).as("the session is kept for the next comparison").hasValue(1);
    }
  }

  @Test
  void aWideSessionThatLosesThreeComparisonsInARow_isClosedForGood() {
    LoneRuns lone = loneRuns();
    feed(lone, false, 9 * MS, LoneRuns.SKIPPED + LoneRuns.SAMPLES);
    awaitWideSession(lone);
    for (int loss = 1; loss <= LoneRuns.MAX_LOSSES; loss++) {
      // The lower quartiles count: a few fast wide runs among slow ones do not win.
      feed(lone, true, 3 * MS, 2);
      feed(lone, true, 12 * MS, LoneRuns.SAMPLES - 2);
      if (loss < LoneRuns.MAX_LOSSES) {
        assertThat(lone.state()).isEqualTo(LoneRuns.State.NARROW);
        feed(lone, false, 9 * MS, LoneRuns.RECHECK_RUNS + LoneRuns.SAMPLES);
        assertThat(lone.state()).isEqualTo(LoneRuns.State.SAMPLING_WIDE);
      }
    }
    assertThat(lone.state()).isEqualTo(LoneRuns.State.NEVER);
    assertThat(lone.session()).isNull();
    feed(lone, false, 9 * MS, 3 * LoneRuns.RECHECK_RUNS);
    assertThat(created).hasValue(1);
  }

  @Test
  void aRunnerClosedWhileTheWideSessionIsMade_neverServesIt() throws Exception {
    CountDownLatch making = new CountDownLatch(1);
    CountDownLatch closed = new CountDownLatch(1);
    AtomicReference<OrtSession> made = new AtomicReference<>();
    LoneRuns lone =
        new LoneRuns(
            "cnn",
            2,
            () -> {
              making.countDown();
              closed.await();
              made.set(
                  OrtEnvironment.getEnvironment()
                      .createSession(
                          TestArtifacts.repoRoot()
                              .resolve("samples/models/cnn/cnn.onnx")
                              .toString(),
                          new OrtSession.SessionOptions()));
              return made.get();
            },
            (session, times) -> warmedCalls.addAndGet(times));
    feed(lone, false, 9 * MS, LoneRuns.SKIPPED + LoneRuns.SAMPLES);
    assertThat(making.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(lone.state()).isEqualTo(LoneRuns.State.CREATING);
    lone.close();
    closed.countDown();
    await().atMost(Duration.ofSeconds(30)).until(() -> made.get() != null);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> made.get().getInputNames().size())
                    .as("the session made after close is closed")
                    .isInstanceOf(IllegalStateException.class));
    assertThat(lone.state()).isEqualTo(LoneRuns.State.NEVER);
    assertThat(lone.session()).isNull();
  }

  @Test
  void aSessionThatCannotBeMade_leavesLoneRunsAsTheyWere() {
    LoneRuns lone =
        new LoneRuns(
            "broken",
            2,
            () -> {
              throw new IllegalStateException("no such payload");
            },
            (session, times) -> {});
    feed(lone, false, 9 * MS, LoneRuns.SKIPPED + LoneRuns.SAMPLES);
    await().atMost(Duration.ofSeconds(30)).until(() -> lone.state() == LoneRuns.State.NEVER);
    assertThat(lone.session()).isNull();
  }
}
