package dev.kiln.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.opentest4j.TestAbortedException;

/**
 * An external program a test needs. Missing on a developer machine, the test is skipped with the
 * package to install; missing on CI ({@code CI=true}), it fails, since a skip there would hide that
 * the integration tests never ran.
 */
public record RequiredTool(Path binary, String debianPackage) {
  public static final RequiredTool MOSQUITTO =
      new RequiredTool(Path.of("/usr/sbin/mosquitto"), "mosquitto");

  public boolean installed() {
    return Files.isExecutable(binary);
  }

  public String missingMessage() {
    return binary
        + " is missing: install it with `apt-get install "
        + debianPackage
        + "` to run these tests";
  }

  /** Skips (developer machine) or fails (CI) the calling test when the tool is missing. */
  public void require() {
    if (installed()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(missingMessage());
    }
    throw new TestAbortedException(missingMessage());
  }
}
