package dev.kiln.agent.cds;

import dev.kiln.artifact.AtomicFiles;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The agent's class-data sharing archive (AppCDS, JDK 17): one static archive holding the JDK's and
 * the agent's classes already parsed and verified, so a start maps them instead of loading them
 * from jars. It is dumped with {@code java -Xshare:dump} from the class list the agent jar carries
 * ({@value #CLASS_LIST_RESOURCE}); nothing of the agent runs while it is made.
 *
 * <p>Contract: the file at {@link #path()} is absent or whole, and it was accepted by {@code
 * -Xshare:on} with this JVM and classpath when it was written. It is dumped to a temporary file,
 * checked, then renamed over: a truncated archive crashes the JVM with SIGBUS at start, so one
 * never appears under the final name. The stamp beside it ({@link #stampPath()}) names the JVM and
 * the classpath (each jar's size and time) it was made for.
 *
 * <p>When the JDK or the jars change, the archive no longer matches. The JVM then ignores it and
 * starts without class-data sharing (slower, nothing else), and {@link #isCurrent()} is false, so
 * the agent dumps a new one in the background for the next start.
 */
public final class ClassDataArchive {
  /** Classes to archive, one per line: what a CNN-serving agent loaded up to 1,000 requests. */
  public static final String CLASS_LIST_RESOURCE = "kiln/cds/kiln-agent.classlist";

  /**
   * Set by the unit and the launchers: where the archive lives (also {@code
   * -XX:SharedArchiveFile}).
   */
  public static final String PROPERTY = "kiln.agent.cds.archive";

  private static final long DUMP_TIMEOUT_SECONDS = 600;

  private final Path archive;
  private final Path javaBinary;
  private final List<String> classpath;

  /**
   * @param archive where the archive lives
   * @param java the java binary that will run with it (the archive fits only that JVM)
   * @param classpath the classpath, entry by entry, it will run with; jars only (a static archive
   *     takes no classes from directories)
   */
  public ClassDataArchive(Path archive, Path java, List<String> classpath) {
    this.archive = archive.toAbsolutePath();
    this.javaBinary = java;
    this.classpath = List.copyOf(classpath);
  }

  /** For this JVM and its classpath. */
  public static ClassDataArchive forThisJvm(Path archive) {
    return new ClassDataArchive(archive, thisJava(), thisClasspath());
  }

  /** The archive named by {@value #PROPERTY}, when the launcher or unit set it. */
  public static Optional<ClassDataArchive> fromSystemProperty() {
    String configured = System.getProperty(PROPERTY, "").trim();
    return configured.isEmpty() ? Optional.empty() : Optional.of(forThisJvm(Path.of(configured)));
  }

  public Path path() {
    return archive;
  }

  public Path stampPath() {
    return archive.resolveSibling(archive.getFileName() + ".stamp");
  }

  /** True when the archive exists and was made for this JVM and these exact jars. */
  public boolean isCurrent() {
    try {
      return Files.isRegularFile(archive)
          && Files.isRegularFile(stampPath())
          && Files.readString(stampPath()).equals(fingerprint());
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * What the JVM checks an archive against, written down: the JVM (its home and build) and every
   * classpath entry with its size and modification time. Any change makes the archive stale.
   */
  public String fingerprint() throws IOException {
    StringBuilder text = new StringBuilder();
    text.append("java ").append(javaBinary.toRealPath()).append('\n');
    text.append("vm ").append(System.getProperty("java.vm.version")).append('\n');
    for (String entry : classpath) {
      Path path = Path.of(entry);
      text.append("cp ").append(entry);
      if (Files.exists(path)) {
        text.append(' ')
            .append(Files.size(path))
            .append(' ')
            .append(Files.getLastModifiedTime(path).toMillis());
      } else {
        text.append(" missing");
      }
      text.append('\n');
    }
    return text.toString();
  }

  /**
   * Dumps the archive and puts it in place; blocks for the dump (a few seconds of CPU). A failed
   * dump leaves any previous archive as it was and its log at {@code <archive>.log}.
   *
   * @throws IOException when the dump or its check fails
   */
  public void create() throws IOException, InterruptedException {
    Path dir = Files.createDirectories(archive.getParent());
    Path list = Files.createTempFile(dir, ".classlist-", ".tmp");
    Path temp = dir.resolve("." + archive.getFileName() + "-" + ProcessHandle.current().pid());
    Path log = archive.resolveSibling(archive.getFileName() + ".log");
    try {
      deleteLeftovers(dir);
      writeClassList(list);
      String stamp = fingerprint();
      run(dumpCommand(list, temp), log, "dumping the class-data archive");
      // -Xshare:on refuses to start rather than run without the archive: the check that this JVM
      // maps it with this classpath.
      run(checkCommand(temp), log, "checking the dumped class-data archive with -Xshare:on");
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.force(true);
      }
      Files.move(
          temp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      AtomicFiles.fsyncDirectory(dir);
      AtomicFiles.write(stampPath(), stamp.getBytes(StandardCharsets.UTF_8));
      Files.deleteIfExists(log);
    } finally {
      Files.deleteIfExists(list);
      Files.deleteIfExists(temp);
    }
  }

  List<String> dumpCommand(Path list, Path target) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary.toString());
    cmd.add("-Xshare:dump");
    // The collector the agent runs with; G1 would add archived heap objects SerialGC cannot map.
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Xmx128m");
    cmd.add("-XX:SharedClassListFile=" + list);
    cmd.add("-XX:SharedArchiveFile=" + target);
    cmd.add("-cp");
    cmd.add(String.join(File.pathSeparator, classpath));
    return cmd;
  }

  List<String> checkCommand(Path target) {
    return List.of(
        javaBinary.toString(),
        "-Xshare:on",
        "-XX:+UseSerialGC",
        "-XX:SharedArchiveFile=" + target,
        "-cp",
        String.join(File.pathSeparator, classpath),
        "-version");
  }

  /** Temporary dumps of earlier processes that stopped before renaming theirs (30 MB each). */
  private void deleteLeftovers(Path dir) throws IOException {
    String prefix = "." + archive.getFileName() + "-";
    String mine = prefix + ProcessHandle.current().pid();
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = file.getFileName().toString();
        if (name.startsWith(prefix) && !name.equals(mine)) {
          Files.deleteIfExists(file);
        }
      }
    }
  }

  private static void writeClassList(Path list) throws IOException {
    try (InputStream in =
        ClassDataArchive.class.getClassLoader().getResourceAsStream(CLASS_LIST_RESOURCE)) {
      if (in == null) {
        throw new IOException(
            CLASS_LIST_RESOURCE + " is not on the classpath; rebuild the agent jar");
      }
      Files.copy(in, list, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static void run(List<String> command, Path log, String what)
      throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    // A dump still running when the agent stops would outlive it (a JVM of up to 180 MiB RSS).
    Thread stopDump = new Thread(process::destroyForcibly, "kiln-cds-stop");
    Runtime.getRuntime().addShutdownHook(stopDump);
    try {
      if (!process.waitFor(DUMP_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IOException(what + " took over " + DUMP_TIMEOUT_SECONDS + " s; see " + log);
      }
    } finally {
      process.destroyForcibly();
      try {
        Runtime.getRuntime().removeShutdownHook(stopDump);
      } catch (IllegalStateException shuttingDown) {
        // The hook runs anyway; the process is already gone.
      }
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          what + " failed with exit code " + process.exitValue() + "; see " + log);
    }
  }

  private static Path thisJava() {
    return Path.of(System.getProperty("java.home"), "bin", "java");
  }

  private static List<String> thisClasspath() {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      if (!entry.isBlank()) {
        entries.add(entry);
      }
    }
    return entries;
  }
}
