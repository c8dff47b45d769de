package dev.kiln.compiler.calibration;

import dev.kiln.compiler.ort.HostTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One numpy {@code .npy} array (format versions 1 to 3). The header is checked against the bytes
 * actually present before anything is allocated: a header that claims 10^12 elements in a small
 * file fails on its first read. Little- and big-endian data are read; Fortran order is refused for
 * more than one dim (numpy's {@code np.ascontiguousarray} fixes it); object arrays are refused,
 * since they are pickles.
 */
final class NpyArray {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int MAX_HEADER_BYTES = 64 << 10;
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** What a header promises; {@code dataOffset} is where the values start. */
  record Header(ElementType type, ByteOrder order, long[] shape, int count, int dataOffset) {
    long dataBytes() {
      return (long) count * type.bytes;
    }
  }

  private NpyArray() {}

  /** An array's values for the host, and the element type the file stored them in. */
  record Decoded(HostTensor tensor, ElementType type) {}

  static Decoded read(Path file, ByteBudget budget) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = channel.size();
      ByteBuffer start = ByteBuffer.allocate((int) Math.min(size, MAX_HEADER_BYTES + 12));
      while (start.hasRemaining() && channel.read(start) >= 0) {
        // read the header's prefix
      }
      Header header = header(file, start.flip(), size);
      budget.take((long) header.count * header.type.hostBytes(), file);
      if (header.dataBytes() > Shapes.MAX_ELEMENTS) {
        throw Refusal.of(file, "its array is over 2 GiB", "Split it into several files");
      }
      ByteBuffer data = ByteBuffer.allocate((int) header.dataBytes()).order(header.order);
      channel.position(header.dataOffset);
      while (data.hasRemaining() && channel.read(data) >= 0) {
        // read all values
      }
      return new Decoded(header.type.decode(data.flip(), header.shape, header.count), header.type);
    } catch (IOException e) {
      throw Refusal.of(file, "it cannot be read (" + e.getMessage() + ")", "Check the path", e);
    }
  }

  /** An array already in memory (a .npz entry, whose size was checked before inflating). */
  static Decoded parse(String where, byte[] bytes, ByteBudget budget) {
    Header header = header(where, ByteBuffer.wrap(bytes), bytes.length);
    budget.take((long) header.count * header.type.hostBytes(), where);
    ByteBuffer data = ByteBuffer.wrap(bytes, header.dataOffset, (int) header.dataBytes());
    return new Decoded(
        header.type.decode(data.order(header.order), header.shape, header.count), header.type);
  }

  /** Parses and checks the header at the start of {@code in}, for a file of {@code totalBytes}. */
  static Header header(Object where, ByteBuffer in, long totalBytes) {
    in.order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    if (in.remaining() < 10) {
      throw notNpy(where, "it is too short");
    }
    in.get(magic);
    if (!java.util.Arrays.equals(magic, MAGIC)) {
      throw notNpy(where, "it does not start with numpy's magic bytes");
    }
    int major = in.get();
    in.get();
    long headerLength;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(in.getShort());
    } else if (major == 2 || major == 3) {
      if (in.remaining() < 4) {
        throw notNpy(where, "it is too short");
      }
      headerLength = Integer.toUnsignedLong(in.getInt());
    } else {
      throw notNpy(where, "it is .npy format version " + major + ", Kiln reads 1 to 3");
    }
    if (headerLength > MAX_HEADER_BYTES || headerLength > in.remaining()) {
      throw notNpy(where, "its header claims " + headerLength + " bytes, more than it holds");
    }
    byte[] text = new byte[(int) headerLength];
    in.get(text);
    int dataOffset = in.position();
    String dict =
        new String(text, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    String descr = group(where, DESCR, dict, "descr");
    boolean fortran = group(where, FORTRAN, dict, "fortran_order").equals("True");
    long[] shape = shape(where, group(where, SHAPE, dict, "shape"));
    ElementType type = type(where, descr);
    ByteOrder order = descr.startsWith(">") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    if (fortran && shape.length > 1) {
      throw Refusal.of(
          where,
          "its array is stored in Fortran (column-major) order",
          "Save np.ascontiguousarray(x) instead");
    }
    int count = Shapes.elementCount(where, shape);
    long need = (long) count * type.bytes;
    long have = totalBytes - dataOffset;
    if (need != have) {
      throw Refusal.of(
          where,
          "its header promises "
              + count
              + " "
              + type.numpyName
              + " values ("
              + need
              + " bytes) but "
              + have
              + " bytes follow it",
          "The file is truncated or not what it claims: save it again with np.save");
    }
    return new Header(type, order, shape, count, dataOffset);
  }

  private static ElementType type(Object where, String descr) {
    if (descr.length() < 2 || "<>|=".indexOf(descr.charAt(0)) < 0) {
      throw Refusal.of(
          where,
          "its dtype '" + descr + "' is not a plain numeric type",
          "Save numeric arrays: " + ElementType.NAMES);
    }
    ElementType type =
        switch (descr.substring(1)) {
          case "f4" -> ElementType.FLOAT32;
          case "f8" -> ElementType.FLOAT64;
          case "i8" -> ElementType.INT64;
          case "i4" -> ElementType.INT32;
          case "i2" -> ElementType.INT16;
          case "i1" -> ElementType.INT8;
          case "u1" -> ElementType.UINT8;
          case "b1" -> ElementType.BOOL;
          default -> null;
        };
    if (type == null) {
      throw Refusal.of(
          where,
          "its dtype '" + descr + "' is not one Kiln reads",
          "Convert it with x.astype(...) to " + ElementType.NAMES);
    }
    return type;
  }

  private static long[] shape(Object where, String tuple) {
    String[] parts = tuple.split(",");
    java.util.List<Long> dims = new java.util.ArrayList<>();
    for (String part : parts) {
      String p = part.trim();
      if (p.isEmpty()) {
        continue;
      }
      try {
        dims.add(Long.parseLong(p.endsWith("L") ? p.substring(0, p.length() - 1) : p));
      } catch (NumberFormatException e) {
        throw notNpy(where, "its header's shape (" + tuple + ") is not a tuple of whole numbers");
      }
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static String group(Object where, Pattern pattern, String dict, String key) {
    Matcher m = pattern.matcher(dict);
    if (!m.find()) {
      throw notNpy(where, "its header has no readable '" + key + "'");
    }
    return m.group(1);
  }

  private static RuntimeException notNpy(Object where, String problem) {
    return Refusal.of(where, problem + " (not a valid .npy file)", "Save it with numpy's np.save");
  }
}
