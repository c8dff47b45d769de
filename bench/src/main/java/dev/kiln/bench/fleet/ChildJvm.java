package dev.kiln.bench.fleet;

import dev.kiln.testkit.JvmLauncher;
import java.util.List;

/**
 * A JVM started from this benchmark's classpath, with the settings that must carry over: the
 * logging config, the temp folder and every {@code kiln.bench.*} property.
 */
final class ChildJvm {
  private ChildJvm() {}

  static JvmLauncher launcher(Class<?> main, List<String> args) {
    JvmLauncher launcher =
        JvmLauncher.of(main.getName())
            .args(args)
            .inheritProperty("logback.configurationFile")
            .inheritProperty("java.io.tmpdir");
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("kiln.bench."))
        .sorted()
        .forEach(launcher::inheritProperty);
    return launcher;
  }
}
