package dev.kiln.cli.bundle;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipInputStream;

/** Reads a bundle back independently of the writer: entry names to contents. */
final class TarEntries {
  private TarEntries() {}

  static Map<String, byte[]> read(Path tarGz) throws IOException {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    try (InputStream in = new GZIPInputStream(Files.newInputStream(tarGz))) {
      while (true) {
        byte[] header = in.readNBytes(512);
        if (header.length < 512 || header[0] == 0) {
          return entries;
        }
        String name = field(header, 0, 100);
        String prefix = field(header, 345, 155);
        long size = Long.parseLong(field(header, 124, 12).trim(), 8);
        byte[] content = in.readNBytes((int) size);
        in.readNBytes((int) ((512 - size % 512) % 512));
        entries.put(prefix.isEmpty() ? name : prefix + "/" + name, content);
      }
    }
  }

  /** Entry names of a jar held in memory. */
  static java.util.List<String> jarEntries(byte[] jar) throws IOException {
    java.util.List<String> names = new java.util.ArrayList<>();
    try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(jar))) {
      for (var entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
        names.add(entry.getName());
      }
    }
    return names;
  }

  private static String field(byte[] header, int offset, int length) {
    int end = offset;
    while (end < offset + length && header[end] != 0) {
      end++;
    }
    return new String(header, offset, end - offset, StandardCharsets.UTF_8);
  }
}
