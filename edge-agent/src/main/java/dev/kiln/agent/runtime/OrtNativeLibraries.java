package dev.kiln.agent.runtime;

import dev.kiln.artifact.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime's Java API unpacks its native libraries from its jar into a fresh temporary folder
 * at every start and deletes them at exit: 20 MB inflated and written per start (0.2-0.8 s on a
 * 2-core host, and wear on a device's flash). The agent unpacks them once into its state folder and
 * points ONNX Runtime there with ONNX Runtime's own {@code onnxruntime.native.path} property.
 *
 * <p>Contract: a folder under the cache root holds both libraries whole or does not exist under its
 * final name (written to a temporary folder, fsynced, renamed). Its name carries the jar entries'
 * CRC-32, so a new ONNX Runtime jar gets a new folder; the old one is deleted. A library whose size
 * no longer matches its jar entry is unpacked again. When the libraries are not in a jar (an IDE
 * classpath), or the property is already set, ONNX Runtime loads as it always did.
 */
public final class OrtNativeLibraries {
  /** ONNX Runtime's property: the folder it loads its libraries from instead of unpacking them. */
  public static final String NATIVE_PATH = "onnxruntime.native.path";

  private static final Logger LOG = LoggerFactory.getLogger(OrtNativeLibraries.class);
  private static final List<String> LIBRARIES =
      List.of("libonnxruntime.so", "libonnxruntime4j_jni.so");

  private OrtNativeLibraries() {}

  /**
   * Sets {@value #NATIVE_PATH} to an unpacked copy under {@code cacheRoot}, unpacking it first when
   * needed. Must run before ONNX Runtime's classes load. Never fails the start: on any error ONNX
   * Runtime unpacks its libraries itself, as before.
   *
   * @return the folder used, or empty when ONNX Runtime is left to unpack for itself
   */
  public static Optional<Path> useCache(Path cacheRoot) {
    if (System.getProperty(NATIVE_PATH) != null) {
      return Optional.empty();
    }
    try {
      Optional<Path> dir = unpackOnce(cacheRoot);
      dir.ifPresent(d -> System.setProperty(NATIVE_PATH, d.toString()));
      return dir;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "could not keep ONNX Runtime's native libraries in {} ({}); it unpacks them itself at"
              + " every start",
          cacheRoot,
          e.toString());
      return Optional.empty();
    }
  }

  static Optional<Path> unpackOnce(Path cacheRoot) throws IOException {
    String platform = platform();
    if (platform == null) {
      return Optional.empty();
    }
    StringBuilder key = new StringBuilder("onnxruntime-" + platform);
    long[] sizes = new long[LIBRARIES.size()];
    URL[] urls = new URL[LIBRARIES.size()];
    for (int i = 0; i < LIBRARIES.size(); i++) {
      urls[i] = resource(platform, LIBRARIES.get(i));
      if (urls[i] == null) {
        return Optional.empty();
      }
      URLConnection connection = urls[i].openConnection();
      if (!(connection instanceof JarURLConnection jar) || jar.getJarEntry() == null) {
        return Optional.empty();
      }
      sizes[i] = jar.getJarEntry().getSize();
      key.append('-').append(Long.toHexString(jar.getJarEntry().getCrc()));
    }
    Path dir = cacheRoot.resolve(key.toString());
    if (whole(dir, sizes)) {
      return Optional.of(dir);
    }
    Files.createDirectories(cacheRoot);
    Path temp = Files.createTempDirectory(cacheRoot, ".unpacking-");
    try {
      for (int i = 0; i < LIBRARIES.size(); i++) {
        Path file = temp.resolve(LIBRARIES.get(i));
        try (InputStream in = urls[i].openStream()) {
          Files.copy(in, file);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
      }
      deleteTree(dir);
      Files.move(temp, dir, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDirectory(cacheRoot);
    } finally {
      deleteTree(temp);
    }
    deleteOthers(cacheRoot, dir);
    return Optional.of(dir);
  }

  private static boolean whole(Path dir, long[] sizes) throws IOException {
    for (int i = 0; i < LIBRARIES.size(); i++) {
      Path file = dir.resolve(LIBRARIES.get(i));
      if (!Files.isRegularFile(file) || Files.size(file) != sizes[i]) {
        return false;
      }
    }
    return true;
  }

  /** The folder name ONNX Runtime's jar uses for this OS and architecture; null elsewhere. */
  static String platform() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
      return null;
    }
    return switch (System.getProperty("os.arch", "")) {
      case "amd64", "x86_64" -> "linux-x64";
      case "aarch64", "arm64" -> "linux-aarch64";
      default -> null;
    };
  }

  private static URL resource(String platform, String library) {
    return OrtNativeLibraries.class
        .getClassLoader()
        .getResource("ai/onnxruntime/native/" + platform + "/" + library);
  }

  private static void deleteOthers(Path cacheRoot, Path keep) throws IOException {
    try (var entries = Files.list(cacheRoot)) {
      for (Path entry : entries.toList()) {
        String name = entry.getFileName().toString();
        if (!entry.equals(keep)
            && (name.startsWith("onnxruntime-") || name.startsWith(".unpacking-"))) {
          deleteTree(entry);
        }
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    }
  }
}
