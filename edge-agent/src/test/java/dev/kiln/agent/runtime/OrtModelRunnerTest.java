package dev.kiln.agent.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.TestOnnx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The direct ONNX Runtime runner against DJL's on the sample CNN, for .onnx and for a memory-mapped
 * .ort optimized at ALL level on this host (what the compiler ships for x86_64), plus its lifetime
 * (the mapping outlives the session across GCs) and its refusals.
 */
class OrtModelRunnerTest {
  private static final Map<String, String> COMPILED =
      Map.of("optLevel", "NO_OPT", "intraOpNumThreads", "1", "interOpNumThreads", "1");

  @TempDir static Path work;
  private static Path cnn;
  private static Path compiledOnnx;
  private static Path compiledOrt;
  private static TestArtifacts.Reference ref;
  private static Map<String, Tensor> input;

  @BeforeAll
  static void compileTheCnnAsTheCompilerDoes() throws Exception {
    cnn = TestArtifacts.repoRoot().resolve("samples/models/cnn/cnn.onnx");
    ref = TestArtifacts.reference("cnn");
    input = Map.of("input", Tensor.ofFloats(shape(ref.inputShape()), ref.input()));
    compiledOnnx = optimize(work.resolve("model.onnx"), false);
    compiledOrt = optimize(work.resolve("model.ort"), true);
  }

  private static Path optimize(Path out, boolean ortFormat) throws Exception {
    try (SessionOptions o = new SessionOptions()) {
      o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
      o.setOptimizedModelFilePath(out.toString());
      if (ortFormat) {
        o.addConfigEntry("session.save_model_format", "ORT");
      }
      OrtEnvironment.getEnvironment().createSession(cnn.toString(), o).close();
    }
    return out;
  }

  private static RunnerSpec spec(Path payload, String format, Map<String, String> options) {
    return spec(payload, format, options, List.of("input"), List.of("output"));
  }

  private static RunnerSpec spec(
      Path payload,
      String format,
      Map<String, String> options,
      List<String> inputs,
      List<String> outputs) {
    return new RunnerSpec(payload, format, List.of(), 1, options, inputs, outputs, 2);
  }

  private static long[] shape(List<Long> dims) {
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static Tensor output(RunnerFactory factory, RunnerSpec spec) {
    try (ModelRunner runner = factory.load(spec)) {
      return runner.run(input).get("output");
    }
  }

  private static void assertClose(Tensor actual, Tensor expected) {
    assertThat(actual.shape()).isEqualTo(expected.shape());
    for (int i = 0; i < expected.size(); i++) {
      assertThat(actual.get(i)).as("output %d", i).isCloseTo(expected.get(i), within(1e-5));
    }
  }

  // Outputs are checked against the reference the sample generator computed, not against DJL's
  // runner: DJL's OnnxRuntime engine can only start before anything else in the JVM created ONNX
  // Runtime's environment, and the order test classes run in is not fixed.
  @Test
  void theSourceOnnxGivesTheReferenceOutputs() {
    Tensor direct = output(new OrtRunnerFactory(), spec(cnn, "onnx", Map.of()));
    assertMatchesReference(direct);
  }

  @Test
  void theCompiledOrtPayloadGivesTheCompiledOnnxsOutputs() {
    Tensor mapped = output(new OrtRunnerFactory(), spec(compiledOrt, "ort", COMPILED));
    Tensor onnx = output(new OrtRunnerFactory(), spec(compiledOnnx, "onnx", COMPILED));
    assertClose(mapped, onnx);
    assertMatchesReference(mapped);
  }

  private static void assertMatchesReference(Tensor actual) {
    assertThat(actual.size()).isEqualTo(ref.output().length);
    for (int i = 0; i < ref.output().length; i++) {
      assertThat(actual.get(i)).as("output %d", i).isCloseTo(ref.output()[i], within(1e-4));
    }
  }

  @Test
  void aBatchOfRowsRunsAtItsOwnBatchSize() {
    // The reference batch twice over: the batch dim is dynamic, each row gives its own output.
    int width = ref.input().length;
    float[] doubled = Arrays.copyOf(ref.input(), 2 * width);
    System.arraycopy(ref.input(), 0, doubled, width, width);
    long[] dims = shape(ref.inputShape());
    dims[0] *= 2;
    try (ModelRunner runner = new OrtRunnerFactory().load(spec(compiledOrt, "ort", COMPILED))) {
      Tensor out = runner.run(Map.of("input", Tensor.ofFloats(dims, doubled))).get("output");
      int n = ref.output().length;
      assertThat(out.shape()[0]).isEqualTo(dims[0]);
      for (int i = 0; i < n; i++) {
        assertThat(out.get(i)).isCloseTo(ref.output()[i], within(1e-4));
        assertThat(out.get(n + i)).isCloseTo(out.get(i), within(1e-6));
      }
    }
  }

  /**
   * With two predictors of one thread each, a run alone gets a session with both threads (any
   * model, for the test: the two-millisecond floor is lowered to 0); whichever session serves a
   * run, the outputs are the reference's.
   */
  @Test
  void aLoneRunMayTakeTheWideSession_andAnswersAsTheNarrowOne() {
    Assumptions.assumeTrue(
        Runtime.getRuntime().availableProcessors() >= 2, "a wide session needs 2 cores");
    RunnerSpec chosen =
        new RunnerSpec(
            compiledOrt,
            "ort",
            List.of(),
            1,
            COMPILED,
            List.of("input"),
            List.of("output"),
            2,
            true);
    try (OrtModelRunner runner = (OrtModelRunner) new OrtRunnerFactory(() -> 0, 0).load(chosen)) {
      LoneRuns lone = runner.loneRuns();
      assertThat(lone).isNotNull();
      for (int i = 0; i < LoneRuns.SKIPPED + LoneRuns.SAMPLES; i++) {
        assertMatchesReference(runner.run(input).get("output"));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> lone.state() != LoneRuns.State.CREATING);
      assertThat(lone.state()).isEqualTo(LoneRuns.State.SAMPLING_WIDE);
      for (int i = 0; i < LoneRuns.SAMPLES; i++) {
        assertMatchesReference(runner.run(input).get("output"));
      }
      assertThat(lone.wideRuns()).isEqualTo(LoneRuns.SAMPLES);
      assertThat(lone.state()).isIn(LoneRuns.State.WIDE, LoneRuns.State.NARROW);

      // Runs side by side and alone in turns: each on whichever session it got, none wrong.
      ExecutorService pool = Executors.newFixedThreadPool(3);
      try {
        List<Future<?>> bursts = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
          for (int t = 0; t < 3; t++) {
            bursts.add(
                pool.submit(
                    () -> {
                      for (int i = 0; i < 20; i++) {
                        assertMatchesReference(runner.run(input).get("output"));
                      }
                      return null;
                    }));
          }
          for (Future<?> burst : bursts) {
            burst.get();
          }
          for (int i = 0; i < 5; i++) {
            assertMatchesReference(runner.run(input).get("output"));
          }
        }
      } catch (InterruptedException | ExecutionException e) {
        throw new AssertionError(e);
      } finally {
        pool.shutdownNow();
      }
    }
    // Threads set by the device (threads.inference) are never widened.
    try (OrtModelRunner configured =
        (OrtModelRunner)
            new OrtRunnerFactory(() -> 0, 0).load(spec(compiledOrt, "ort", COMPILED))) {
      assertThat(configured.loneRuns()).isNull();
    }
  }

  @Test
  void int64InputsAndOutputsRoundTrip() throws Exception {
    Path ids = Files.write(work.resolve("ids.onnx"), TestOnnx.identityInt64(3));
    Path mixed = Files.write(work.resolve("mixed.onnx"), TestOnnx.floatAndInt64Outputs(2));
    OrtRunnerFactory factory = new OrtRunnerFactory();
    try (ModelRunner runner = factory.load(spec(ids, "onnx", Map.of()))) {
      Tensor in = Tensor.ofLongs(new long[] {2, 3}, new long[] {1, -2, 3, 4, 5, Long.MAX_VALUE});
      assertThat(runner.run(Map.of("input", in)).get("output")).isEqualTo(in);
    }
    RunnerSpec two = spec(mixed, "onnx", Map.of(), List.of("input"), List.of("output", "ids"));
    try (ModelRunner runner = factory.load(two)) {
      Map<String, Tensor> out =
          runner.run(Map.of("input", Tensor.ofFloats(new long[] {1, 2}, new float[] {1.5f, 7f})));
      assertThat(out.get("output").floats()).containsExactly(1.5f, 7f);
      assertThat(out.get("ids")).isEqualTo(Tensor.ofLongs(new long[] {1, 2}, new long[] {1, 7}));
    }
  }

  @Test
  void theMappingLivesAsLongAsTheSessionThroughManyLoadsAndCollections() {
    OrtRunnerFactory factory = new OrtRunnerFactory();
    RunnerSpec spec = spec(compiledOrt, "ort", COMPILED);
    Tensor expected = output(factory, spec);
    for (int i = 0; i < 200; i++) {
      ModelRunner runner = factory.load(spec);
      // Collections while the session lives must not unmap its weights...
      System.gc();
      assertThat(runner.run(input).get("output")).isEqualTo(expected);
      runner.close();
      // ...and after close the mapping may go.
      System.gc();
    }
  }

  @Test
  void aTruncatedOrCorruptPayloadIsRefusedNotCrashedOn() throws Exception {
    byte[] ort = Files.readAllBytes(compiledOrt);
    byte[] onnx = Files.readAllBytes(compiledOnnx);
    Path halfOrt = Files.write(work.resolve("half.ort"), Arrays.copyOf(ort, ort.length / 2));
    Path headOrt = Files.write(work.resolve("head.ort"), Arrays.copyOf(ort, 64));
    Path emptyOrt = Files.write(work.resolve("empty.ort"), new byte[0]);
    byte[] flipped = ort.clone();
    for (int i = ort.length / 3; i < ort.length / 3 + 256; i++) {
      flipped[i] = (byte) ~flipped[i];
    }
    Path corruptOrt = Files.write(work.resolve("corrupt.ort"), flipped);
    Path halfOnnx = Files.write(work.resolve("half.onnx"), Arrays.copyOf(onnx, onnx.length / 2));
    OrtRunnerFactory factory = new OrtRunnerFactory();
    for (Path bad : List.of(halfOrt, headOrt, emptyOrt, halfOnnx)) {
      String format = bad.toString().endsWith(".ort") ? "ort" : "onnx";
      assertThatThrownBy(() -> factory.load(spec(bad, format, COMPILED)))
          .as(bad.getFileName().toString())
          .isInstanceOf(AgentException.class)
          .hasMessageContaining("could not load " + bad)
          .extracting(e -> ((AgentException) e).code())
          .isEqualTo(AgentErrorCode.ENGINE_ERROR);
    }
    // Flipped bytes inside the weights still verify as a flatbuffer: the model then loads and runs
    // on wrong weights, which is what the artifact's checksum is for. Either way, no crash.
    try (ModelRunner runner = factory.load(spec(corruptOrt, "ort", COMPILED))) {
      runner.run(input);
    } catch (AgentException e) {
      assertThat(e.code()).isEqualTo(AgentErrorCode.ENGINE_ERROR);
    }
  }

  @Test
  void runsAfterCloseAndMissingInputsAreRefusedWithTheAgentsCodes() {
    ModelRunner runner = new OrtRunnerFactory().load(spec(compiledOrt, "ort", COMPILED));
    assertThatThrownBy(() -> runner.run(Map.of()))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("missing input 'input'")
        .extracting(e -> ((AgentException) e).code())
        .isEqualTo(AgentErrorCode.INVALID_INPUT);
    assertThatThrownBy(
            () -> runner.run(Map.of("input", Tensor.ofFloats(new long[] {1, 2}, new float[2]))))
        .isInstanceOf(AgentException.class)
        .extracting(e -> ((AgentException) e).code())
        .isEqualTo(AgentErrorCode.ENGINE_ERROR);
    runner.close();
    runner.close();
    assertThatThrownBy(() -> runner.run(input))
        .isInstanceOf(AgentException.class)
        .extracting(e -> ((AgentException) e).code())
        .isEqualTo(AgentErrorCode.MODEL_NOT_READY);
  }

  @Test
  void theFactoryPicksTheEngineByPayloadFormat() {
    EngineRunnerFactory engines = new EngineRunnerFactory(1);
    try (ModelRunner ort = engines.load(spec(compiledOrt, "ort", COMPILED));
        ModelRunner onnx = engines.load(spec(cnn, "onnx", Map.of()))) {
      assertThat(ort).isInstanceOf(OrtModelRunner.class);
      assertThat(onnx).isInstanceOf(OrtModelRunner.class);
    }
    assertThatThrownBy(() -> engines.load(spec(cnn, "tflite", Map.of())))
        .isInstanceOf(AgentException.class)
        .hasMessageContaining("valid formats: onnx, ort, torchscript")
        .extracting(e -> ((AgentException) e).code())
        .isEqualTo(AgentErrorCode.ARTIFACT_REJECTED);
  }

  @Test
  void theManifestsLevelReachesTheSession() throws Exception {
    // A payload the session cannot take at the manifest's level is not silently reloaded at
    // another: an unknown level is refused before ONNX Runtime sees it.
    assertThatThrownBy(
            () -> new OrtRunnerFactory().load(spec(cnn, "onnx", Map.of("optLevel", "FAST"))))
        .extracting(e -> ((AgentException) e).code())
        .isEqualTo(AgentErrorCode.ARTIFACT_REJECTED);
    try (SessionOptions o = OrtSessionOptions.of(spec(compiledOrt, "ort", COMPILED))) {
      assertThat(o.getConfigEntries()).containsAllEntriesOf(OrtSessionOptions.ZERO_COPY);
    }
    try (SessionOptions o = OrtSessionOptions.of(spec(cnn, "onnx", COMPILED));
        OrtSession s = OrtEnvironment.getEnvironment().createSession(cnn.toString(), o)) {
      assertThat(o.getConfigEntries()).doesNotContainKey("session.use_ort_model_bytes_directly");
      assertThat(s.getInputNames()).containsExactly("input");
    }
  }
}
