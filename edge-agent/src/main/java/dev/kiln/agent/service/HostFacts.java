package dev.kiln.agent.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * What the planner must know about the host. Probed once, before planning, so a plan is a pure
 * function of its inputs and tests can plan for hosts they are not running on.
 *
 * @param userExists whether the service user is already in the passwd database
 * @param userIsOurs whether that user looks exactly like the one install creates (home is the state
 *     directory, shell is nologin); only such a user may be deleted by --purge, so a typo in --user
 *     can never remove an account someone else depends on
 * @param systemdRunning whether systemd is PID 1 (containers and chroots usually lack it)
 */
public record HostFacts(boolean userExists, boolean userIsOurs, boolean systemdRunning) {
  static final String NOLOGIN = "/usr/sbin/nologin";

  public static HostFacts probe(String user, Path stateDir) {
    Optional<String[]> entry = passwdEntry(user);
    boolean ours =
        entry
            .filter(fields -> fields.length >= 7)
            .filter(fields -> Integer.parseInt(fields[2]) >= 100)
            .filter(fields -> fields[5].equals(stateDir.toString()) && fields[6].equals(NOLOGIN))
            .isPresent();
    return new HostFacts(entry.isPresent(), ours, detectSystemd());
  }

  /** The check sd_booted(3) documents: systemd creates this directory early at boot. */
  static boolean detectSystemd() {
    return Files.isDirectory(Path.of("/run/systemd/system"));
  }

  private static Optional<String[]> passwdEntry(String user) {
    try {
      Process process = new ProcessBuilder("getent", "passwd", user).start();
      byte[] out = process.getInputStream().readAllBytes();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new ServiceException(
            ServiceErrorCode.HOST_COMMAND_FAILED, "getent passwd " + user + " did not answer");
      }
      if (process.exitValue() != 0) {
        return Optional.empty();
      }
      return Optional.of(new String(out, StandardCharsets.UTF_8).trim().split(":", -1));
    } catch (IOException e) {
      throw new ServiceException(
          ServiceErrorCode.HOST_COMMAND_FAILED,
          "cannot run getent to look up user " + user + "; is this a glibc Linux host?",
          e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServiceException(ServiceErrorCode.HOST_COMMAND_FAILED, "interrupted", e);
    }
  }
}
