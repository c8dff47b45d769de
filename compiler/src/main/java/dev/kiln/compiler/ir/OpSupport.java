package dev.kiln.compiler.ir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operators an ONNX Runtime execution provider implements, read from the lists in {@code
 * kiln/ops/} on the classpath. Kept as data so updating the runtime means editing a text file.
 */
public final class OpSupport {
  /** The execution provider a model is compiled for. */
  public enum Target {
    CPU("onnxruntime-cpu.txt"),
    CUDA("onnxruntime-cuda.txt");

    private final String resource;

    Target(String resource) {
      this.resource = resource;
    }

    /** Accepts {@code cpu}, {@code cuda}, {@code onnxruntime-cpu}, {@code onnxruntime-cuda}. */
    public static Target fromName(String name) {
      String n = name.toLowerCase(Locale.ROOT).replace("onnxruntime-", "").replace("ort-", "");
      for (Target t : values()) {
        if (t.name().toLowerCase(Locale.ROOT).equals(n)) {
          return t;
        }
      }
      throw new IllegalArgumentException(
          "unknown ONNX Runtime target '" + name + "'; use one of: cpu, cuda");
    }
  }

  private static final long[] FULL_RANGE = {1, Long.MAX_VALUE};

  private static final Map<Target, OpSupport> CACHE = new EnumMap<>(Target.class);

  private final Target target;

  /** Domain to op type to the inclusive opset range {first, last} it runs in. */
  private final Map<String, Map<String, long[]>> opsByDomain;

  private OpSupport(Target target, Map<String, Map<String, long[]>> opsByDomain) {
    this.target = target;
    this.opsByDomain = opsByDomain;
  }

  public static synchronized OpSupport load(Target target) {
    return CACHE.computeIfAbsent(target, OpSupport::read);
  }

  public Target target() {
    return target;
  }

  /** True if the op runs on this target in some opset; "" and "ai.onnx" name the default domain. */
  public boolean supports(String domain, String opType) {
    return ops(domain).contains(opType);
  }

  /** True if the op runs on this target when the model imports {@code opset} of its domain. */
  public boolean supports(String domain, String opType, long opset) {
    long[] range = ranges(domain).get(opType);
    return range != null && opset >= range[0] && opset <= range[1];
  }

  /**
   * The inclusive opset range {first, last} the op runs in, or null when it is not listed. An
   * unbounded end is 1 or {@link Long#MAX_VALUE}.
   */
  public long[] opsetRange(String domain, String opType) {
    long[] range = ranges(domain).get(opType);
    return range == null ? null : range.clone();
  }

  /** Op types listed for a domain (empty for unknown domains). */
  public Set<String> ops(String domain) {
    return ranges(domain).keySet();
  }

  private Map<String, long[]> ranges(String domain) {
    return opsByDomain.getOrDefault(Graphs.isDefaultDomain(domain) ? "ai.onnx" : domain, Map.of());
  }

  /** Domains that have a list. */
  public Set<String> domains() {
    return opsByDomain.keySet();
  }

  private static OpSupport read(Target target) {
    String path = "/kiln/ops/" + target.resource;
    Map<String, Map<String, long[]>> ops = new TreeMap<>();
    try (InputStream in = OpSupport.class.getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException("op list " + path + " is missing from the Kiln jar");
      }
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String domain = null;
      String line;
      int lineNo = 0;
      while ((line = reader.readLine()) != null) {
        lineNo++;
        int hash = line.indexOf('#');
        String text = (hash >= 0 ? line.substring(0, hash) : line).trim();
        if (text.isEmpty()) {
          continue;
        }
        if (text.startsWith("[") && text.endsWith("]")) {
          domain = text.substring(1, text.length() - 1).trim();
          ops.putIfAbsent(domain, new TreeMap<>());
        } else if (domain == null) {
          throw new IllegalStateException(path + ":" + lineNo + ": op before any [domain] header");
        } else {
          String[] parts = text.split("\\s+");
          long[] range = parts.length > 1 ? parseRange(parts[1], path, lineNo) : FULL_RANGE;
          ops.get(domain).put(parts[0], range);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read op list " + path, e);
    }
    ops.replaceAll((d, m) -> Collections.unmodifiableMap(m));
    return new OpSupport(target, Collections.unmodifiableMap(ops));
  }

  /** Parses {@code 20..}, {@code ..9} or {@code 7..9}. */
  private static long[] parseRange(String text, String path, int lineNo) {
    int dots = text.indexOf("..");
    if (dots < 0) {
      throw new IllegalStateException(path + ":" + lineNo + ": expected an opset range like 7..9");
    }
    String first = text.substring(0, dots);
    String last = text.substring(dots + 2);
    return new long[] {
      first.isEmpty() ? 1 : Long.parseLong(first),
      last.isEmpty() ? Long.MAX_VALUE : Long.parseLong(last)
    };
  }
}
