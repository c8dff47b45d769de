package dev.kiln.bench.fleet;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a JVM started from this benchmark's classpath, with the settings that must
 * carry over: the logging config, the temp folder and every {@code kiln.bench.*} property.
 */
final class ChildJvm {
  private ChildJvm() {}

  static List<String> command(Class<?> main, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String key : List.of("logback.configurationFile", "java.io.tmpdir")) {
      String value = System.getProperty(key);
      if (value != null) {
        cmd.add("-D" + key + "=" + value);
      }
    }
    System.getProperties().stringPropertyNames().stream()
        .filter(k -> k.startsWith("kiln.bench."))
        .sorted()
        .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    return cmd;
  }
}
