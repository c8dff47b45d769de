package dev.kiln.cli.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Enumeration;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Drops other platforms' native libraries from a jar. ONNX Runtime ships Linux, macOS and Windows
 * libraries (and a 350 MB Windows .pdb) in one jar; DJL's pytorch-jni and JNA ship every platform's
 * JNI glue. A device needs one platform, so the rest is dead weight on a small disk.
 */
final class NativeSlimmer {
  private static final FileTime FIXED_TIME = FileTime.fromMillis(1767225600000L);
  private static final Pattern NATIVE_FILE =
      Pattern.compile(".*\\.(so|a|dll|pdb|dylib|jnilib)(\\.[0-9.]+)?");

  /**
   * Under {@code root}, each platform has a directory and only {@code keep} survives. With {@code
   * nativeFilesOnly} the root also holds Java packages (JNA's com/sun/jna/ptr/), so only native
   * library files in a foreign directory are dropped.
   */
  private record Rule(String root, String keep, boolean nativeFilesOnly) {}

  private final List<Rule> rules;

  NativeSlimmer(TargetArch arch) {
    this.rules =
        List.of(
            new Rule("ai/onnxruntime/native/", arch.onnxRuntimePlatform(), false),
            new Rule("jnilib/", arch.djlPlatform(), false),
            new Rule("com/sun/jna/", arch.jnaPlatform(), true));
  }

  /** Whether an entry belongs to another platform; files directly under a root are shared. */
  boolean drops(String entryName) {
    for (Rule rule : rules) {
      if (!entryName.startsWith(rule.root()) || entryName.length() == rule.root().length()) {
        continue;
      }
      String rest = entryName.substring(rule.root().length());
      int slash = rest.indexOf('/');
      if (slash < 0 || rest.substring(0, slash).equals(rule.keep())) {
        continue;
      }
      if (!rule.nativeFilesOnly()) {
        return true;
      }
      String file = rest.substring(slash + 1);
      if (!file.contains("/") && NATIVE_FILE.matcher(file).matches()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code jar} carries anything {@link #drops} would remove. */
  boolean needsSlimming(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().anyMatch(entry -> drops(entry.getName()));
    }
  }

  /** Writes {@code jar} minus other platforms' natives to {@code out}, in the original order. */
  void slim(Path jar, Path out) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile());
        OutputStream file = Files.newOutputStream(out);
        ZipOutputStream slim = new ZipOutputStream(file)) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry entry = entries.nextElement();
        if (drops(entry.getName())) {
          continue;
        }
        ZipEntry copy = new ZipEntry(entry.getName());
        copy.setLastModifiedTime(FIXED_TIME);
        slim.putNextEntry(copy);
        try (InputStream in = zip.getInputStream(entry)) {
          in.transferTo(slim);
        }
        slim.closeEntry();
      }
    }
  }
}
