package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.kiln.agent.AgentProcess;
import dev.kiln.agent.TestArtifacts;
import dev.kiln.agent.cds.ClassDataArchive;
import dev.kiln.agent.http.Npy;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.agent.service.DeviceJvm;
import dev.kiln.artifact.Ed25519Keys;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent with its class-data archive, as the launchers run it: the packaged jar and {@code
 * target/lib}. A real {@code java -Xshare:dump}, real agent processes, real inference.
 */
class ClassDataSharingIT {
  private static Path work;
  private static Path cnn;
  private static KeyPair key;
  private static List<String> classpath;
  private static Path agentJar;

  @BeforeAll
  static void setUp() throws Exception {
    work = AgentProcess.tmp("cds");
    key = Ed25519Keys.generate();
    cnn =
        TestArtifacts.build(
            TestArtifacts.spec().name("cnn").sample("cnn"), key, work.resolve("artifacts"));
    // A copy of the agent jar, so the test can change it (make the archive stale) without
    // touching the build's.
    Path target = Path.of("target");
    Path packaged;
    try (Stream<Path> jars = Files.list(target)) {
      packaged =
          jars.filter(p -> p.getFileName().toString().matches("kiln-edge-agent-.*\\.jar"))
              .filter(p -> !p.getFileName().toString().endsWith("-sources.jar"))
              .findFirst()
              .orElseThrow(() -> new IllegalStateException("run after package: no agent jar"));
    }
    agentJar =
        Files.copy(packaged, Files.createDirectories(work.resolve("lib")).resolve("agent.jar"));
    classpath = new ArrayList<>();
    classpath.add(agentJar.toString());
    try (Stream<Path> jars = Files.list(target.resolve("lib"))) {
      jars.map(p -> p.toAbsolutePath().toString()).sorted().forEach(classpath::add);
    }
  }

  @Test
  void agentMapsItsArchive_andStillStartsWithAStaleOrBrokenOne_thenRebuildsIt() throws Exception {
    ClassDataArchive archive =
        new ClassDataArchive(
            work.resolve("cds").resolve(DeviceJvm.ARCHIVE_NAME),
            Path.of(System.getProperty("java.home"), "bin", "java"),
            classpath);
    archive.create();
    assertThat(archive.path()).isRegularFile();
    assertThat(archive.isCurrent()).isTrue();

    // -Xshare:on: the JVM refuses to start unless it maps the archive.
    try (AgentProcess agent = agent("current", archive.path(), "-Xshare:on")) {
      assertServes(agent);
      assertThat(agent.log()).doesNotContain("dumping a new one");
    }

    // New jars (here: the agent jar's time changes) make the archive stale. The JVM rejects it
    // and starts without class-data sharing; the agent rebuilds it in the background.
    Files.setLastModifiedTime(
        agentJar, FileTime.fromMillis(Files.getLastModifiedTime(agentJar).toMillis() + 3_600_000));
    assertThat(archive.isCurrent()).isFalse();
    try (AgentProcess agent = agent("stale", archive.path())) {
      assertServes(agent);
      assertThat(agent.log()).contains("dumping a new one in the background");
      await()
          .atMost(Duration.ofMinutes(5))
          .pollInterval(Duration.ofMillis(500))
          .until(archive::isCurrent);
    }
    try (AgentProcess agent = agent("rebuilt", archive.path(), "-Xshare:on")) {
      assertServes(agent);
    }

    // Not an archive at all (a JDK's archive from elsewhere, a bad copy): still starts.
    Path broken = work.resolve("broken").resolve(DeviceJvm.ARCHIVE_NAME);
    Files.createDirectories(broken.getParent());
    byte[] noise = new byte[64 * 1024];
    new Random(7).nextBytes(noise);
    Files.write(broken, noise);
    try (AgentProcess agent = agent("broken", broken)) {
      assertServes(agent);
    }
  }

  private static AgentProcess agent(String name, Path archive, String... extra) throws Exception {
    AgentProcess agent =
        new AgentProcess(
            work.resolve(name),
            c ->
                c.putObject("models")
                    .put("defaultModel", "cnn")
                    .putArray("artifacts")
                    .add(cnn.toString()));
    TestArtifacts.trust(key, agent.keysDir());
    agent.classpath(String.join(File.pathSeparator, classpath));
    DeviceJvm.classDataSharing(archive, true).forEach(agent::jvmOption);
    for (String option : extra) {
      agent.jvmOption(option);
    }
    return agent.start();
  }

  private static void assertServes(AgentProcess agent) throws Exception {
    float[] values = new float[3 * 32 * 32];
    byte[] npy = Npy.write(Tensor.ofFloats(new long[] {1, 3, 32, 32}, values));
    assertThat(agent.send("POST", "/invocations", npy, "application/x-npy", Map.of()).statusCode())
        .isEqualTo(200);
  }
}
