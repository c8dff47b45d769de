package dev.kiln.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The command line of a child JVM started from a classpath this process knows (its own, or the test
 * classpath surefire hands over), and the one place that starts it. Everything a test, a benchmark
 * or the demo needs to vary is an option here, so there is one launcher to mend.
 */
public final class JvmLauncher {
  private final String mainClass;
  private final List<String> args = new ArrayList<>();
  private final List<String> jvmOptions = new ArrayList<>();
  private final Map<String, String> properties = new LinkedHashMap<>();
  private final Map<String, String> environment = new LinkedHashMap<>();
  private String classpath = System.getProperty("java.class.path");
  private ProcessBuilder.Redirect stdout = ProcessBuilder.Redirect.DISCARD;
  private ProcessBuilder.Redirect stderr = ProcessBuilder.Redirect.DISCARD;
  private boolean mergeStderr;
  private Path log;
  private Path directory;

  private JvmLauncher(String mainClass) {
    this.mainClass = mainClass;
  }

  public static JvmLauncher of(String mainClass) {
    return new JvmLauncher(mainClass);
  }

  /**
   * {@code kiln-agent run --config FILE}, offline: native engines come from the classpath and
   * nothing may be downloaded.
   */
  public static JvmLauncher kilnAgent(Path configFile) {
    return of("dev.kiln.agent.cli.AgentMain")
        .args("run", "--config", configFile.toAbsolutePath().toString())
        .property("ai.djl.offline", "true")
        .env("OPT_OUT_TRACKING", "true");
  }

  /** The classpath of the running tests when under surefire/failsafe, else this JVM's. */
  public static String testClasspath() {
    return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
  }

  public JvmLauncher classpath(String classpath) {
    this.classpath = classpath;
    return this;
  }

  public JvmLauncher args(String... more) {
    args.addAll(List.of(more));
    return this;
  }

  public JvmLauncher args(List<String> more) {
    args.addAll(more);
    return this;
  }

  /** A raw JVM option such as {@code -Xmx256m} or {@code -XX:+UseSerialGC}. */
  public JvmLauncher jvmOption(String option) {
    jvmOptions.add(option);
    return this;
  }

  /** {@code -Dkey=value}; a later call for the same key wins. */
  public JvmLauncher property(String key, String value) {
    properties.put(key, value);
    return this;
  }

  /** Passes this JVM's value of a system property on, when it has one. */
  public JvmLauncher inheritProperty(String key) {
    String value = System.getProperty(key);
    if (value != null) {
      properties.put(key, value);
    }
    return this;
  }

  /** The child's scratch folder (native engines unpack there); created if missing. */
  public JvmLauncher tmpDir(Path dir) throws IOException {
    Files.createDirectories(dir);
    return property("java.io.tmpdir", dir.toAbsolutePath().toString());
  }

  public JvmLauncher env(String key, String value) {
    environment.put(key, value);
    return this;
  }

  /** The child's working folder, where it writes files named by relative paths (its own logs). */
  public JvmLauncher directory(Path dir) {
    this.directory = dir;
    return this;
  }

  /** Appends the child's stdout and stderr to {@code file}. */
  public JvmLauncher log(Path file) {
    this.log = file;
    this.stdout = ProcessBuilder.Redirect.appendTo(file.toFile());
    this.stderr = stdout;
    return this;
  }

  /** Where stdout goes, e.g. {@code PIPE} to read it through {@link Process#getInputStream()}. */
  public JvmLauncher stdout(ProcessBuilder.Redirect to) {
    this.stdout = to;
    return this;
  }

  /** Where stderr goes, e.g. {@code INHERIT} to show the child's progress on this console. */
  public JvmLauncher stderr(ProcessBuilder.Redirect to) {
    this.stderr = to;
    return this;
  }

  /** Sends stderr wherever stdout goes, e.g. both into one {@code PIPE} a test reads lines from. */
  public JvmLauncher stderrToStdout() {
    this.mergeStderr = true;
    return this;
  }

  public List<String> command() {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvmOptions);
    properties.forEach((k, v) -> cmd.add("-D" + k + "=" + v));
    cmd.add("-cp");
    cmd.add(classpath);
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }

  public JvmProcess start() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(command()).redirectOutput(stdout);
    if (directory != null) {
      pb.directory(directory.toFile());
    }
    if (mergeStderr) {
      pb.redirectErrorStream(true);
    } else {
      pb.redirectError(stderr);
    }
    pb.environment().putAll(environment);
    long startedNanos = System.nanoTime();
    return new JvmProcess(pb.start(), startedNanos, log);
  }
}
