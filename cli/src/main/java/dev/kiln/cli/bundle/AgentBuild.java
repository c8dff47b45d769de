package dev.kiln.cli.bundle;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent as {@code mvn -pl edge-agent package} leaves it: its jar in edge-agent/target, its
 * runtime dependencies in target/lib, and the other architecture's PyTorch natives in
 * target/natives-&lt;platform&gt; (copied there by the pom so bundling works offline).
 */
public record AgentBuild(Path targetDir, Path agentJar, String version, List<Path> libJars) {
  private static final Pattern AGENT_JAR = Pattern.compile("kiln-edge-agent-(.+)\\.jar");
  static final Pattern TORCH_NATIVE =
      Pattern.compile("pytorch-native-cpu-(.+)-(linux-[a-z0-9_]+)\\.jar");
  private static final Pattern TORCH_JNI = Pattern.compile("pytorch-jni-([0-9.]+)-.+\\.jar");

  /** Finds the build under {@code repoRoot}/edge-agent/target. */
  public static AgentBuild locate(Path repoRoot) {
    Path target = repoRoot.resolve("edge-agent").resolve("target");
    String notBuilt =
        " not found; build the agent first: mvn -B -q -DskipTests install -pl edge-agent -am"
            + " (run from "
            + repoRoot
            + ")";
    Path agentJar = null;
    String version = null;
    for (Path jar : list(target, "kiln-edge-agent-*.jar")) {
      Matcher matcher = AGENT_JAR.matcher(jar.getFileName().toString());
      if (matcher.matches() && !matcher.group(1).endsWith("-sources")) {
        agentJar = jar;
        version = matcher.group(1);
      }
    }
    if (agentJar == null) {
      throw new BundleException(
          BundleErrorCode.AGENT_NOT_BUILT, target + "/kiln-edge-agent-*.jar" + notBuilt);
    }
    List<Path> libs = list(target.resolve("lib"), "*.jar");
    if (libs.isEmpty()) {
      throw new BundleException(BundleErrorCode.AGENT_NOT_BUILT, target + "/lib/*.jar" + notBuilt);
    }
    return new AgentBuild(target, agentJar, version, libs);
  }

  /** The PyTorch native-library version the agent was built against, if it uses PyTorch. */
  public Optional<String> torchNativeVersion() {
    for (Path jar : libJars) {
      String name = jar.getFileName().toString();
      Matcher nativeJar = TORCH_NATIVE.matcher(name);
      if (nativeJar.matches()) {
        return Optional.of(nativeJar.group(1));
      }
      Matcher jni = TORCH_JNI.matcher(name);
      if (jni.matches()) {
        return Optional.of(jni.group(1));
      }
    }
    return Optional.empty();
  }

  /**
   * The PyTorch CPU natives for {@code arch}: from target/lib, then target/natives-*, then the
   * local Maven repository (where the root pom's dependencyManagement had it downloaded).
   */
  public Path torchNativeJar(TargetArch arch, String version, Path mavenRepo) {
    String name = "pytorch-native-cpu-" + version + "-" + arch.djlPlatform() + ".jar";
    List<Path> candidates =
        List.of(
            targetDir.resolve("lib").resolve(name),
            targetDir
                .resolve("natives-" + arch.djlPlatform().substring("linux-".length()))
                .resolve(name),
            mavenRepo.resolve("ai/djl/pytorch/pytorch-native-cpu").resolve(version).resolve(name));
    return candidates.stream()
        .filter(Files::isRegularFile)
        .findFirst()
        .orElseThrow(
            () ->
                new BundleException(
                    BundleErrorCode.NATIVES_MISSING,
                    name
                        + " not found in "
                        + candidates
                        + "; run mvn -B -DskipTests package -pl edge-agent (it copies the"
                        + " natives for every target) with network access once"));
  }

  private static List<Path> list(Path dir, String glob) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> found = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, glob)) {
      stream.forEach(found::add);
    } catch (IOException e) {
      throw new BundleException(BundleErrorCode.IO_FAILED, "cannot list " + dir + ": " + e, e);
    }
    found.sort(Comparator.comparing(path -> path.getFileName().toString()));
    return found;
  }
}
