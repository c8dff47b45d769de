package dev.kiln.agent.cds;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {
  @TempDir Path dir;

  private ClassDataArchive archive(Path jar) {
    return new ClassDataArchive(
        dir.resolve("cds/kiln-agent.jsa"),
        Path.of(System.getProperty("java.home"), "bin", "java"),
        List.of(jar.toString()));
  }

  @Test
  void isCurrent_onlyWhenArchiveAndStampMatchThisJvmAndTheseJars() throws IOException {
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    ClassDataArchive cds = archive(jar);
    assertThat(cds.isCurrent()).isFalse();

    Files.createDirectories(cds.path().getParent());
    Files.writeString(cds.path(), "archive");
    assertThat(cds.isCurrent()).as("no stamp").isFalse();
    Files.writeString(cds.stampPath(), cds.fingerprint(), StandardCharsets.UTF_8);
    assertThat(cds.isCurrent()).isTrue();

    Files.setLastModifiedTime(jar, FileTime.fromMillis(1_000));
    assertThat(cds.isCurrent()).as("a jar changed").isFalse();
  }

  @Test
  void fingerprint_namesTheJvmBuildAndEachJar() throws IOException {
    Path jar = Files.writeString(dir.resolve("a.jar"), "jar");
    String fingerprint = archive(jar).fingerprint();
    assertThat(fingerprint)
        .contains("vm " + System.getProperty("java.vm.version"))
        .contains("cp " + jar + " 3 ");
    assertThat(archive(dir.resolve("gone.jar")).fingerprint()).contains("gone.jar missing");
  }

  @Test
  void dump_usesTheClassListAndTheAgentsCollector_andTheCheckRefusesToRunWithout() {
    ClassDataArchive cds = archive(dir.resolve("a.jar"));
    assertThat(cds.dumpCommand(dir.resolve("list"), dir.resolve("out")))
        .contains(
            "-Xshare:dump",
            "-XX:+UseSerialGC",
            "-XX:SharedClassListFile=" + dir.resolve("list"),
            "-XX:SharedArchiveFile=" + dir.resolve("out"));
    assertThat(cds.checkCommand(dir.resolve("out"))).contains("-Xshare:on", "-version");
  }

  @Test
  void theJarCarriesTheClassList() throws IOException {
    try (var in =
        ClassDataArchive.class
            .getClassLoader()
            .getResourceAsStream(ClassDataArchive.CLASS_LIST_RESOURCE)) {
      assertThat(in).isNotNull();
      String list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(list).contains("dev/kiln/agent/Agent\n", "org/eclipse/jetty/server/Server\n");
      // JMX is kept out of the agent (see AgentHttpServer); a list with it would archive it.
      assertThat(list).doesNotContain("javax/management/MBeanServer\n");
    }
  }
}
