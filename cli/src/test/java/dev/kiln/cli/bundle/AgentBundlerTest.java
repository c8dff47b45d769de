package dev.kiln.cli.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentBundlerTest {

  // The build points java.io.tmpdir at target/tmp, which @TempDir needs to exist.
  @BeforeAll
  static void createTmpdir() throws java.io.IOException {
    java.nio.file.Files.createDirectories(
        java.nio.file.Path.of(System.getProperty("java.io.tmpdir")));
  }

  private static final String ARM = "kiln-agent-0.1.0-SNAPSHOT-linux-arm64/";
  private static final String X86 = "kiln-agent-0.1.0-SNAPSHOT-linux-x86_64/";

  @TempDir Path repo;
  @TempDir Path out;

  private BundleReport bundle(TargetArch arch) throws Exception {
    FakeAgentBuild.create(repo);
    // An empty Maven repo proves the aarch64 natives come from target/natives-aarch64.
    return new AgentBundler(AgentBuild.locate(repo), out.resolve("no-m2")).write(arch, out, false);
  }

  @Test
  void arm64Bundle_holdsOnlyAarch64Natives() throws Exception {
    BundleReport report = bundle(TargetArch.ARM64);
    Map<String, byte[]> tar = TarEntries.read(report.bundle());

    assertThat(report.bundle().getFileName().toString())
        .isEqualTo("kiln-agent-0.1.0-SNAPSHOT-linux-arm64.tar.gz");
    assertThat(tar)
        .containsKeys(
            ARM + "bin/kiln-agent",
            ARM + "BUNDLE.json",
            ARM + "share/systemd/kiln-agent.service.template",
            ARM + "lib/kiln-edge-agent-0.1.0-SNAPSHOT.jar",
            ARM + "lib/jackson-databind-2.17.2.jar",
            ARM + "lib/pytorch-native-cpu-2.7.1-linux-aarch64.jar")
        .doesNotContainKey(ARM + "lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar");
    assertThat(TarEntries.jarEntries(tar.get(ARM + "lib/onnxruntime-1.21.1.jar")))
        .containsExactly(
            "ai/onnxruntime/OrtSession.class",
            "ai/onnxruntime/native/linux-aarch64/libonnxruntime.so");
    assertThat(TarEntries.jarEntries(tar.get(ARM + "lib/pytorch-jni-2.7.1-0.35.1.jar")))
        .containsExactly("jnilib/pytorch.properties", "jnilib/linux-aarch64/cpu/libdjl_torch.so");
    assertThat(TarEntries.jarEntries(tar.get(ARM + "lib/jna-5.17.0.jar")))
        .containsExactly(
            "com/sun/jna/Native.class",
            "com/sun/jna/ptr/IntByReference.class",
            "com/sun/jna/linux-aarch64/libjnidispatch.so");
    assertThat(new String(tar.get(ARM + "BUNDLE.json"))).contains("\"arch\" : \"arm64\"");
  }

  @Test
  void x86Bundle_holdsOnlyX86Natives() throws Exception {
    BundleReport report = bundle(TargetArch.X86_64);
    Map<String, byte[]> tar = TarEntries.read(report.bundle());

    assertThat(tar)
        .containsKey(X86 + "lib/pytorch-native-cpu-2.7.1-linux-x86_64.jar")
        .doesNotContainKey(X86 + "lib/pytorch-native-cpu-2.7.1-linux-aarch64.jar");
    assertThat(TarEntries.jarEntries(tar.get(X86 + "lib/onnxruntime-1.21.1.jar")))
        .containsExactly(
            "ai/onnxruntime/OrtSession.class", "ai/onnxruntime/native/linux-x64/libonnxruntime.so");
    assertThat(TarEntries.jarEntries(tar.get(X86 + "lib/pytorch-jni-2.7.1-0.35.1.jar")))
        .containsExactly("jnilib/pytorch.properties", "jnilib/linux-x86_64/cpu/libdjl_torch.so");
    assertThat(TarEntries.jarEntries(tar.get(X86 + "lib/jna-5.17.0.jar")))
        .contains("com/sun/jna/linux-x86-64/libjnidispatch.so")
        .doesNotContain(
            "com/sun/jna/linux-aarch64/libjnidispatch.so",
            "com/sun/jna/win32-x86-64/jnidispatch.dll");
    assertThat(report.entries())
        .filteredOn(entry -> entry.path().equals("lib/onnxruntime-1.21.1.jar"))
        .singleElement()
        .satisfies(entry -> assertThat(entry.note()).startsWith("slimmed from"));
  }

  @Test
  void bundle_isByteIdentical_whenBuiltTwice() throws Exception {
    BundleReport first = bundle(TargetArch.ARM64);
    byte[] firstBytes = Files.readAllBytes(first.bundle());

    BundleReport second =
        new AgentBundler(AgentBuild.locate(repo), out.resolve("no-m2"))
            .write(TargetArch.ARM64, out, true);

    assertThat(Files.readAllBytes(second.bundle())).isEqualTo(firstBytes);
  }

  @Test
  void bundle_unpacksWithSystemTar_andLauncherIsExecutable() throws Exception {
    BundleReport report = bundle(TargetArch.ARM64);
    Path unpacked = Files.createDirectories(out.resolve("unpacked"));

    Process tar =
        new ProcessBuilder("tar", "-xzf", report.bundle().toString(), "-C", unpacked.toString())
            .redirectErrorStream(true)
            .start();
    String log = new String(tar.getInputStream().readAllBytes());
    assertThat(tar.waitFor(60, TimeUnit.SECONDS)).isTrue();

    assertThat(tar.exitValue()).as(log).isZero();
    assertThat(unpacked.resolve(ARM + "bin/kiln-agent")).isExecutable();
    assertThat(unpacked.resolve(ARM + "lib/pytorch-native-cpu-2.7.1-linux-aarch64.jar"))
        .isRegularFile();
  }

  @Test
  void bundle_fails_whenOutputExistsWithoutForce() throws Exception {
    bundle(TargetArch.X86_64);

    assertThatThrownBy(
            () ->
                new AgentBundler(AgentBuild.locate(repo), out).write(TargetArch.X86_64, out, false))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("--force");
  }

  @Test
  void bundle_fails_withNativesMissing_whenAarch64JarIsNowhere() throws Exception {
    FakeAgentBuild.create(repo);
    Files.delete(
        repo.resolve(
            "edge-agent/target/natives-aarch64/pytorch-native-cpu-2.7.1-linux-aarch64.jar"));

    assertThatThrownBy(
            () ->
                new AgentBundler(AgentBuild.locate(repo), out.resolve("no-m2"))
                    .write(TargetArch.ARM64, out, false))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("pytorch-native-cpu-2.7.1-linux-aarch64.jar not found")
        .extracting(e -> ((BundleException) e).code())
        .isEqualTo(BundleErrorCode.NATIVES_MISSING);
  }

  @Test
  void locate_fails_withBuildCommand_whenAgentNotBuilt() {
    assertThatThrownBy(() -> AgentBuild.locate(repo))
        .isInstanceOf(BundleException.class)
        .hasMessageContaining("mvn -B -q -DskipTests install -pl edge-agent -am");
  }

  @Test
  void targetArch_acceptsKernelNames_andRejectsOthers() {
    assertThat(TargetArch.parse("aarch64")).isEqualTo(TargetArch.ARM64);
    assertThat(TargetArch.parse("X86_64")).isEqualTo(TargetArch.X86_64);
    assertThatThrownBy(() -> TargetArch.parse("riscv64"))
        .hasMessageContaining("use --target arm64 or --target x86_64");
  }
}
