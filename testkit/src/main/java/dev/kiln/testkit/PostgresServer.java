package dev.kiln.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for tests and benchmarks: {@code initdb} into a temporary folder (trust
 * authentication on loopback only, the unix socket inside that folder), {@code postgres} on a free
 * loopback port, one database per test class from {@link #createDatabase}. {@link #close} stops the
 * server and deletes the folder; a JVM that exits without closing it does the same from a shutdown
 * hook. Run as root (CI), the server runs as {@code nobody} (see {@link PostgresOsUser}).
 *
 * <p>{@code fsync} stays on unless {@link Options#fsync(boolean)} turns it off: crash tests ({@code
 * kill -9} of a replica) must see what a real server makes durable.
 */
public final class PostgresServer implements AutoCloseable {
  /** The superuser initdb creates; trust authentication, so no password. */
  public static final String SUPERUSER = "kiln";

  public static final String HOST = "127.0.0.1";
  private static final long START_TIMEOUT_SECONDS = 60;
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static PostgresServer shared;

  /** Server settings; defaults as a production server would have them where tests care. */
  public record Options(boolean fsync, int maxConnections) {
    public static Options defaults() {
      return new Options(true, 200);
    }

    /** Off only where no crash is tested and speed matters (benchmarks, plain unit tests). */
    public Options fsync(boolean on) {
      return new Options(on, maxConnections);
    }

    public Options maxConnections(int max) {
      return new Options(fsync, max);
    }
  }

  private final PostgresBinaries binaries;
  private final PostgresOsUser user;
  private final Path root;
  private final Path home;
  private final int port;
  private final Thread cleanupOnExit;
  private Options options;

  private PostgresServer(PostgresBinaries binaries, PostgresOsUser user, Path root, int port) {
    this.binaries = binaries;
    this.user = user;
    this.root = root;
    this.home = root.resolve("pg");
    this.port = port;
    this.cleanupOnExit = new Thread(this::stopAndDelete, "postgres-cleanup-" + port);
  }

  /** Skips the calling test on a developer machine without PostgreSQL; fails it on CI. */
  public static void requireInstalled() {
    PostgresBinaries.require();
  }

  public static PostgresServer start() {
    return start(Options.defaults());
  }

  /**
   * One server for every test of this JVM that neither restarts nor stops it, each in its own
   * database ({@link #createDatabase}): started by the first caller, stopped and deleted by the
   * shutdown hook; {@link #close} leaves it running. One {@code initdb} per test class would cost
   * more than many of the tests. No crash is tested on it, so {@code fsync} is off. Skips the
   * calling test on a developer machine without PostgreSQL, fails it on CI.
   */
  public static synchronized PostgresServer shared() {
    if (shared == null) {
      shared = start(Options.defaults().fsync(false));
    }
    return shared;
  }

  public static PostgresServer start(Options options) {
    PostgresBinaries binaries = PostgresBinaries.require();
    PostgresOsUser user = PostgresOsUser.forThisProcess();
    PostgresServer server = new PostgresServer(binaries, user, createRoot(user), FreePorts.next());
    Runtime.getRuntime().addShutdownHook(server.cleanupOnExit);
    try {
      server.initdb();
      server.launch(options);
    } catch (RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  public int port() {
    return port;
  }

  /** The data folder (owned by the server's user). */
  public Path dataDir() {
    return home.resolve("data");
  }

  public Path log() {
    return home.resolve("postgres.log");
  }

  /** Creates a fresh database named after {@code prefix} (e.g. the test class) and returns it. */
  public Database createDatabase(String prefix) {
    String name =
        prefix.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_]", "_")
            + "_"
            + DATABASES.incrementAndGet();
    if (name.length() > 63) {
      name = "db_" + DATABASES.get();
    }
    run(
        List.of(
            binaries.program("createdb").toString(),
            "-h",
            HOST,
            "-p",
            String.valueOf(port),
            "-U",
            SUPERUSER,
            name),
        false);
    return new Database(HOST, port, name, SUPERUSER);
  }

  /** One database on this server, named the ways Kiln and JDBC want it. */
  public record Database(String host, int port, String name, String user) {
    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + name + "?user=" + user;
    }

    /** The form of Kiln's {@code --store} option. */
    public String storeUri() {
      return "postgresql://" + host + ":" + port + "/" + name + "?user=" + user;
    }
  }

  /** Fast shutdown: open sessions are cut, committed work is on disk. */
  public void stop() {
    if (Files.exists(dataDir().resolve("postmaster.pid"))) {
      runQuietly(pgCtl("stop", "-m", "fast", "-w", "-t", "30"));
    }
  }

  /**
   * Stops (fast shutdown) and starts again on the same port and data, as a database failover or
   * restart looks to its clients: every open connection is cut.
   */
  public void restart() {
    stop();
    launch(options);
  }

  @Override
  public void close() {
    if (this == shared) {
      return;
    }
    stopAndDelete();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanupOnExit);
    } catch (IllegalStateException exiting) {
      // Already running as the hook.
    }
  }

  private synchronized void stopAndDelete() {
    stop();
    deleteTree(root);
  }

  private static Path createRoot(PostgresOsUser user) {
    try {
      // Absolute: initdb runs as another user (runuser), which may not resolve a relative path.
      Path parent = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
      // The server's user must reach the folder, and socket paths are limited to ~100 bytes.
      if (user.switches() && !everyoneMayEnter(parent) || parent.toString().length() > 60) {
        parent = Path.of("/tmp");
      }
      Files.createDirectories(parent);
      Path root = Files.createTempDirectory(parent, "kiln-pg");
      Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-xr-x"));
      Path home = Files.createDirectory(root.resolve("pg"));
      Files.setPosixFilePermissions(home, PosixFilePermissions.fromString("rwx------"));
      user.own(home);
      return root;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static boolean everyoneMayEnter(Path dir) {
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      try {
        if (!Files.getPosixFilePermissions(p)
            .contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
          return false;
        }
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }

  private void initdb() {
    run(
        List.of(
            binaries.program("initdb").toString(),
            "-D",
            dataDir().toString(),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
            // initdb's own fsync of the fresh cluster only guards against a machine crash during
            // the test; the server's fsync (Options) is what crash tests rely on.
            "--no-sync"),
        true);
  }

  private void launch(Options options) {
    this.options = options;
    String serverOptions =
        String.join(
            " ",
            "-p " + port,
            "-c listen_addresses=" + HOST,
            "-c unix_socket_directories=" + home,
            "-c fsync=" + (options.fsync() ? "on" : "off"),
            "-c max_connections=" + options.maxConnections(),
            // A container's /dev/shm is often tiny; the data folder is not.
            "-c dynamic_shared_memory_type=mmap");
    run(
        pgCtl(
            "start",
            "-w",
            "-t",
            String.valueOf(START_TIMEOUT_SECONDS),
            "-o",
            serverOptions,
            "-l",
            log().toString()),
        true);
    awaitAccepting();
  }

  private List<String> pgCtl(String... args) {
    List<String> command = new ArrayList<>();
    command.add(binaries.program("pg_ctl").toString());
    command.add("-D");
    command.add(dataDir().toString());
    command.addAll(List.of(args));
    return command;
  }

  private void awaitAccepting() {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket(InetAddress.getByName(HOST), port)) {
        return;
      } catch (IOException notYet) {
        try {
          TimeUnit.MILLISECONDS.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while waiting for postgres", e);
        }
      }
    }
    throw new IllegalStateException(
        "postgres did not accept connections on " + port + "; see " + log());
  }

  /** Runs a PostgreSQL program to its end; throws with its output when it fails. */
  private void run(List<String> command, boolean asServerUser) {
    List<String> full = asServerUser ? user.command(command) : command;
    try {
      Path out = Files.createTempFile(root, "cmd", ".log");
      Process p =
          new ProcessBuilder(full)
              .directory(root.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      if (!p.waitFor(START_TIMEOUT_SECONDS + 30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", full) + " timed out");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", full)
                + " exited with "
                + p.exitValue()
                + ": "
                + Files.readString(out).strip()
                + (Files.exists(log()) ? "; server log " + log() : ""));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted running " + full.get(0), e);
    }
  }

  private void runQuietly(List<String> command) {
    try {
      run(command, true);
    } catch (RuntimeException e) {
      System.err.println("postgres fixture: " + e.getMessage());
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      System.err.println("postgres fixture: could not delete " + dir + ": " + e);
    }
  }
}
