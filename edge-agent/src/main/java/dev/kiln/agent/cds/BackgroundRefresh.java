package dev.kiln.agent.cds;

import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rebuilds a missing or stale archive while the agent serves, so the next start has it. Runs at the
 * lowest thread priority, once per start; a failure is logged and tried again at the next start.
 * The dump is a child JVM (about 3 s of CPU and up to 128 MiB of heap on this host), which is why
 * it happens only when the archive is missing or stale: after an install, a JDK upgrade or new
 * jars.
 */
public final class BackgroundRefresh {
  private static final Logger LOG = LoggerFactory.getLogger(BackgroundRefresh.class);

  private BackgroundRefresh() {}

  /**
   * Starts the rebuild when {@link ClassDataArchive#PROPERTY} names an archive that is not current;
   * returns the thread doing it, or empty when nothing needs doing.
   */
  public static Optional<Thread> startIfStale() {
    Optional<ClassDataArchive> configured = ClassDataArchive.fromSystemProperty();
    if (configured.isEmpty() || configured.get().isCurrent()) {
      return Optional.empty();
    }
    ClassDataArchive archive = configured.get();
    Thread thread = new Thread(() -> rebuild(archive), "kiln-cds-archive");
    thread.setDaemon(true);
    thread.setPriority(Thread.MIN_PRIORITY);
    thread.start();
    return Optional.of(thread);
  }

  private static void rebuild(ClassDataArchive archive) {
    LOG.info(
        "class-data archive {} is missing or was made for another JVM or other jars; dumping a"
            + " new one in the background for the next start",
        archive.path());
    long started = System.nanoTime();
    try {
      archive.create();
      LOG.info(
          "class-data archive {} written in {} ms; the next start maps it",
          archive.path(),
          (System.nanoTime() - started) / 1_000_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      LOG.warn(
          "could not write the class-data archive {}: {}; the agent runs without it and tries"
              + " again at the next start",
          archive.path(),
          e.getMessage());
    }
  }
}
