package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.http.Npy;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's "defaults that fit the host", on a real agent process serving an ONNX model: threads
 * follow the cores the JVM may use (here 1, as under a cgroup quota of one CPU or {@code taskset -c
 * 0}; the JVM reads both), PyTorch is not loaded for ONNX models, and ONNX Runtime's libraries come
 * from the state folder, unpacked once.
 */
class DeviceDefaultsIT {

  @Test
  void onOneCore_oneThread_noPyTorch_andOnnxRuntimeFromTheStateFolder() throws Exception {
    Path work = AgentProcess.tmp("device-defaults");
    KeyPair key = Ed25519Keys.generate();
    Path cnn =
        TestArtifacts.build(
            TestArtifacts.spec().name("cnn").sample("cnn"), key, work.resolve("artifacts"));
    try (AgentProcess agent =
        new AgentProcess(
            work,
            c -> {
              c.putObject("models")
                  .put("defaultModel", "cnn")
                  .putArray("artifacts")
                  .add(cnn.toString());
              // The agent's own choice, not the helper's 2 x 1.
              c.remove("threads");
            })) {
      TestArtifacts.trust(key, agent.keysDir());
      agent.jvmOption("-XX:ActiveProcessorCount=1").start();
      byte[] npy = Npy.write(Tensor.ofFloats(new long[] {1, 3, 32, 32}, new float[3 * 32 * 32]));
      assertThat(
              agent.send("POST", "/invocations", npy, "application/x-npy", Map.of()).statusCode())
          .isEqualTo(200);

      assertThat(agent.log())
          .contains("inference threads: 1 predictors per model x 1 intra-op threads each")
          .contains("1 cores available");
      String maps = Files.readString(Path.of("/proc", agent.process().pid() + "", "maps"));
      assertThat(maps).doesNotContain("libtorch");
      assertThat(maps)
          .contains(agent.stateDir().toRealPath().resolve("native").toString())
          .contains("libonnxruntime.so");
    }
  }
}
