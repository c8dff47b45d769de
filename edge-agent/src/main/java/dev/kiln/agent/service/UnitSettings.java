package dev.kiln.agent.service;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the rendered unit needs to know. Validated here because systemd only reports a bad unit when
 * the service fails to start, long after the installer has exited.
 *
 * @param java absolute path of the java binary the service runs
 * @param prefix install root; jars live in {@code prefix/lib}
 * @param user system user (and group) the agent runs as
 * @param stateDir the agent's state directory; must sit under /var/lib so systemd's StateDirectory=
 *     creates and owns it
 * @param configFile the agent config the service passes to {@code run --config}
 */
public record UnitSettings(Path java, Path prefix, String user, Path stateDir, Path configFile) {
  private static final Path VAR_LIB = Path.of("/var/lib");

  public UnitSettings {
    requireSafe("java", java);
    requireSafe("prefix", prefix);
    requireSafe("stateDir", stateDir);
    requireSafe("config", configFile);
    if (!stateDir.normalize().startsWith(VAR_LIB) || stateDir.normalize().equals(VAR_LIB)) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID,
          "stateDir "
              + stateDir
              + " is not under /var/lib; systemd's StateDirectory= only manages /var/lib/<name>."
              + " Set \"stateDir\": \"/var/lib/kiln\" in the agent config");
    }
    if (!user.matches("[a-z_][a-z0-9_-]{0,31}")) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID,
          "user '" + user + "' is not a valid system user name; use lower case, e.g. kiln");
    }
  }

  /** The name StateDirectory= takes: the state path relative to /var/lib. */
  public String stateDirectoryName() {
    return VAR_LIB.relativize(stateDir.normalize()).toString();
  }

  /** The class-data archive the unit maps; the agent writes it on its first start. */
  public Path cdsArchive() {
    return stateDir.normalize().resolve("cds").resolve(DeviceJvm.ARCHIVE_NAME);
  }

  /**
   * {@link DeviceJvm#options} and, where the JDK of {@link #java} has it, {@link
   * DeviceJvm#NATIVE_HEAP_TRIM}: decided at install from that JDK's {@code release} file. JDK 17
   * updates only ever add the flag; after moving the unit to another JDK, install again.
   */
  public String jvmOptions() {
    List<String> options = new ArrayList<>(DeviceJvm.options(DeviceJvm.DEFAULT_HEAP));
    options.addAll(DeviceJvm.nativeHeapTrim(java));
    return String.join(" ", options);
  }

  public Map<String, String> templateValues() {
    return Map.of(
        "java", java.toString(),
        "prefix", prefix.toString(),
        "user", user,
        "stateDir", stateDir.normalize().toString(),
        "stateDirectoryName", stateDirectoryName(),
        "configFile", configFile.toString(),
        "jvmOptions", jvmOptions(),
        "mallocArenaMax", DeviceJvm.MALLOC_ARENA_MAX,
        "cdsArchive", cdsArchive().toString());
  }

  // systemd splits ExecStart= on whitespace and expands '%' and '$'; refusing them is simpler
  // and safer than escaping them.
  private static void requireSafe(String what, Path path) {
    String text = path.toString();
    if (!path.isAbsolute() || !text.matches("[A-Za-z0-9/._+-]+")) {
      throw new ServiceException(
          ServiceErrorCode.CONFIG_INVALID,
          what
              + " path '"
              + text
              + "' must be absolute and use only letters, digits and / . _ + -;"
              + " pick a plain path such as /opt/kiln");
    }
  }
}
