package dev.kiln.compiler.calibration;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * A numpy {@code .npz}: a zip of .npy arrays named by input ({@code np.savez(f, input=x)} writes
 * {@code input.npy}). A zip is a classic bomb, so the central directory is checked in full before
 * any entry is inflated: at most {@link #MAX_ENTRIES} entries, plain {@code NAME.npy} names given
 * once, declared sizes that fit the memory budget together and a compression ratio deflate can
 * actually produce; then each entry is inflated into a buffer of its declared size and refused if
 * it holds more or less.
 */
final class NpzArchive {
  /** A model with more inputs than this is not one calibration files are written for. */
  static final int MAX_ENTRIES = 256;

  /** Deflate cannot compress better than about 1032:1; a larger claim is a lie about sizes. */
  static final long MAX_RATIO = 1100;

  private NpzArchive() {}

  static Map<String, NpyArray.Decoded> read(Path file, ByteBudget budget) {
    try (ZipFile zip = new ZipFile(file.toFile())) {
      List<ZipEntry> entries = checkedEntries(file, zip, budget);
      Map<String, NpyArray.Decoded> out = new LinkedHashMap<>();
      for (ZipEntry entry : entries) {
        String name = entry.getName().substring(0, entry.getName().length() - ".npy".length());
        byte[] bytes = inflate(file, zip, entry);
        out.put(name, NpyArray.parse(file + " entry " + entry.getName(), bytes, budget));
      }
      return out;
    } catch (ZipException e) {
      throw Refusal.of(
          file, "it is not a readable zip (" + e.getMessage() + ")", "Save it with np.savez", e);
    } catch (IOException e) {
      throw Refusal.of(file, "it cannot be read (" + e.getMessage() + ")", "Check the path", e);
    }
  }

  private static List<ZipEntry> checkedEntries(Path file, ZipFile zip, ByteBudget budget) {
    if (zip.size() > MAX_ENTRIES) {
      throw Refusal.of(
          file,
          "it has "
              + zip.size()
              + " entries; an .npz holds one array per input, at most "
              + MAX_ENTRIES,
          "Save one array per model input");
    }
    List<ZipEntry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    long declared = 0;
    for (Enumeration<? extends ZipEntry> e = zip.entries(); e.hasMoreElements(); ) {
      ZipEntry entry = e.nextElement();
      String name = entry.getName();
      if (!name.endsWith(".npy")
          || name.contains("/")
          || name.contains("\\")
          || name.length() == ".npy".length()) {
        throw Refusal.of(
            file,
            "entry '" + name + "' is not an array named NAME.npy",
            "Save it with np.savez(path, INPUT_NAME=array, ...)");
      }
      if (!names.add(name)) {
        throw Refusal.of(file, "entry '" + name + "' appears twice", "Save each input once");
      }
      long size = entry.getSize();
      long compressed = entry.getCompressedSize();
      if (size < 0 || compressed < 0) {
        throw Refusal.of(
            file, "entry '" + name + "' does not declare its size", "Save it with np.savez");
      }
      if (compressed > 0 && size / compressed > MAX_RATIO || compressed == 0 && size > 0) {
        throw Refusal.of(
            file,
            "entry '"
                + name
                + "' claims "
                + size
                + " bytes from "
                + compressed
                + " compressed, a ratio no real .npz has",
            "Save it again with np.savez or np.savez_compressed");
      }
      declared += size;
      entries.add(entry);
    }
    if (entries.isEmpty()) {
      throw Refusal.of(file, "it holds no arrays", "Save one array per model input");
    }
    if (declared > budget.left()) {
      throw Refusal.of(
          file,
          "its arrays declare "
              + declared
              + " bytes, over the "
              + budget.limit()
              + "-byte limit for calibration data",
          "Use fewer samples (a few hundred are enough to calibrate), or split the data");
    }
    return entries;
  }

  /** Inflates into exactly the declared size; more or fewer bytes mean a lying directory. */
  private static byte[] inflate(Path file, ZipFile zip, ZipEntry entry) throws IOException {
    if (entry.getSize() > Shapes.MAX_ELEMENTS) {
      throw Refusal.of(file, "entry '" + entry.getName() + "' is over 2 GiB", "Split the data");
    }
    byte[] bytes = new byte[(int) entry.getSize()];
    try (InputStream in = zip.getInputStream(entry)) {
      int at = 0;
      while (at < bytes.length) {
        int n = in.read(bytes, at, bytes.length - at);
        if (n < 0) {
          break;
        }
        at += n;
      }
      if (at != bytes.length || in.read() >= 0) {
        throw Refusal.of(
            file,
            "entry '" + entry.getName() + "' does not inflate to the size its directory declares",
            "The archive is damaged or forged: save it again with np.savez");
      }
    }
    return bytes;
  }
}
