package dev.kiln.compiler.ir;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Parses the CLI's input-shape syntax: {@code NAME:DxDxD}, several joined by commas or given as
 * repeated options, e.g. {@code input:1x3x224x224} or {@code ids:1x128,mask:1x128}. The name is
 * everything before the last colon, so TensorFlow-style names like {@code input:0:1x3} work.
 */
public final class InputShapes {
  private static final String EXAMPLE = "e.g. input:1x3x224x224 or ids:1x128,mask:1x128";

  private InputShapes() {}

  /** Parses one option value, which may hold several comma-separated entries. */
  public static Map<String, long[]> parse(String spec) {
    return parse(List.of(spec));
  }

  /** Parses repeated option values; input order is kept. */
  public static Map<String, long[]> parse(List<String> specs) {
    Map<String, long[]> shapes = new LinkedHashMap<>();
    for (String spec : specs) {
      if (spec == null || spec.isBlank()) {
        throw bad("an empty shape", "give NAME:DIMS, " + EXAMPLE);
      }
      for (String entry : spec.split(",")) {
        String e = entry.trim();
        int colon = e.lastIndexOf(':');
        if (colon <= 0) {
          throw bad("'" + e + "'", "expected NAME:DIMS with dims joined by 'x', " + EXAMPLE);
        }
        String name = e.substring(0, colon).trim();
        long[] dims = parseDims(e, e.substring(colon + 1).trim());
        if (shapes.putIfAbsent(name, dims) != null) {
          throw bad("'" + e + "'", "input '" + name + "' is given twice; give each input once");
        }
      }
    }
    return shapes;
  }

  /** Formats dims the way {@link #parse} reads them, e.g. {@code 1x3x224x224}. */
  public static String format(long[] dims) {
    StringJoiner j = new StringJoiner("x");
    for (long d : dims) {
      j.add(Long.toString(d));
    }
    return j.toString();
  }

  private static long[] parseDims(String entry, String text) {
    if (text.isEmpty()) {
      throw bad("'" + entry + "'", "no dimensions after the colon, " + EXAMPLE);
    }
    String[] parts = text.split("[xX]", -1);
    long[] dims = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      String p = parts[i].trim();
      try {
        dims[i] = Long.parseLong(p);
      } catch (NumberFormatException ex) {
        throw bad(
            "'" + entry + "'",
            "dimension " + i + " ('" + p + "') is not a whole number, " + EXAMPLE);
      }
      if (dims[i] <= 0) {
        throw bad(
            "'" + entry + "'",
            "dimension " + i + " is " + dims[i] + "; every dimension must be at least 1");
      }
    }
    return dims;
  }

  private static IrException bad(String what, String fix) {
    return new IrException(IrErrorCode.BAD_SHAPE_SPEC, "bad input shape " + what + ": " + fix);
  }
}
