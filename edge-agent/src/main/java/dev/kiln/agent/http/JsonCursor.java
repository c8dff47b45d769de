package dev.kiln.agent.http;

import com.fasterxml.jackson.core.io.doubleparser.JavaDoubleParser;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A position in a JSON body's bytes and the lexical reads the agent's fast decoders need ({@code
 * JsonTensorScanner} for {@code /invocations}, the Open Inference Protocol's streamed request):
 * whitespace, punctuation, plain strings, booleans, numbers to the JSON grammar, and skipping a
 * whole value. Every read checks the grammar as Jackson does and answers false (or null) where the
 * text is not what it takes, leaving the position wherever it stopped: a caller that gets false
 * gives up on the body and leaves it to a slower reader that names the problem.
 *
 * <p>Numbers are turned into doubles in the same pass as their digits are checked when Clinger's
 * fast path is exact (a mantissa below 2^53 and a power of ten up to 22, which covers what float32
 * values print as); otherwise {@link JavaDoubleParser} reads the same bytes. Both round as {@code
 * Double.parseDouble}.
 */
public final class JsonCursor {
  /** What {@link #scanNumber} read. */
  public static final int NOT_A_NUMBER = 0;

  /** An integer of at most 18 digits: {@link #longValue}. */
  public static final int LONG = 1;

  /** An integer too long for the fast reading; Jackson's BigInteger rounding applies. */
  public static final int BIG_INTEGER = 2;

  /** A fraction or exponent: {@link #doubleValue}. */
  public static final int DECIMAL = 3;

  private static final double[] POWERS_OF_TEN = new double[23];

  private static final long[] POWERS_OF_TEN_LONG = {
    1L, 10L, 100L, 1_000L, 10_000L, 100_000L, 1_000_000L, 10_000_000L, 100_000_000L
  };

  private static final long ASCII_ZEROS = 0x3030303030303030L;

  /** Fast path bound: a mantissa below 2^53 is exact in a double. */
  private static final long EXACT_MANTISSA = 1L << 53;

  /** Digits are taken into the mantissa while it is below 10^17, so it stays below 10^18 < 2^63. */
  private static final long MAX_MANTISSA = 100_000_000_000_000_000L;

  private static final VarHandle LITTLE_ENDIAN_LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  /** Nesting allowed in a skipped value: one bit per level in a long. */
  private static final int MAX_SKIPPED_DEPTH = 64;

  static {
    double p = 1;
    for (int i = 0; i < POWERS_OF_TEN.length; i++) {
      POWERS_OF_TEN[i] = p;
      p *= 10;
    }
  }

  private final byte[] body;
  private final int end;
  private int at;
  // The last number scanned.
  private int numberStart;
  private boolean negative;
  private long mantissa;
  private int exponent;
  private boolean truncated;

  public JsonCursor(byte[] body) {
    this(body, body.length);
  }

  /** A cursor over the first {@code length} bytes of {@code body}. */
  public JsonCursor(byte[] body, int length) {
    this.body = body;
    this.end = length;
  }

  /** Where the next read starts. */
  public int position() {
    return at;
  }

  /** Moves to {@code position}, a place an earlier read of this body reached. */
  void seek(int position) {
    at = position;
  }

  /** Whether the next byte, after whitespace, is {@code c} (not consumed). */
  public boolean peekIs(char c) {
    skipWhitespace();
    return at < end && body[at] == c;
  }

  /** Whether every byte has been read, but for trailing whitespace. */
  public boolean atEnd() {
    skipWhitespace();
    return at == end;
  }

  /** Consumes {@code expected} after whitespace; false if another byte comes first. */
  public boolean skipTo(char expected) {
    // Compact JSON has no whitespace: look at the byte first, and write the position only once.
    int i = at;
    if (i < end && body[i] != expected && isWhitespace(body[i])) {
      skipWhitespace();
      i = at;
    }
    if (i < end && body[i] == expected) {
      at = i + 1;
      return true;
    }
    return false;
  }

  public void skipWhitespace() {
    final byte[] b = body;
    int i = at;
    if (i >= end || !isWhitespace(b[i])) {
      return;
    }
    while (i < end && isWhitespace(b[i])) {
      i++;
    }
    at = i;
  }

  /** JSON's four whitespace bytes. */
  static boolean isWhitespace(byte c) {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
  }

  /**
   * Reads a number to the JSON grammar, its digits kept for {@link #longValue} or {@link
   * #doubleValue}; answers what it read. Written with locals and one store of each field at the
   * end: the loops over digits are most of a large body's time, and with the fields written on
   * every turn a 224x224 image took 1.5x as long.
   */
  public int scanNumber() {
    final byte[] b = body;
    int i = at;
    numberStart = i;
    boolean minus = i < end && b[i] == '-';
    if (minus) {
      i++;
    }
    long m = 0;
    int e = 0;
    boolean cut = false;
    boolean whole = true;
    byte c;
    if (i < end && b[i] == '0') {
      i++;
    } else if (i < end && b[i] >= '1' && b[i] <= '9') {
      while (i < end && (c = b[i]) >= '0' && c <= '9') {
        if (m < MAX_MANTISSA) {
          m = m * 10 + (c - '0');
        } else {
          // Digits past 17 significant ones count in the exponent; the slow path reads them.
          cut = true;
          e++;
        }
        i++;
      }
    } else {
      at = i;
      return NOT_A_NUMBER;
    }
    if (i < end && b[i] == '.') {
      whole = false;
      int first = ++i;
      // float32 values print with about eight digits after the point: one 64-bit read and a
      // few multiplications take eight of them where they are there.
      if (end - i >= 8 && m < 10_000_000_000L) {
        long word = (long) LITTLE_ENDIAN_LONGS.get(b, i);
        if (isEightDigits(word)) {
          m = m * 100_000_000L + eightDigits(word);
          e -= 8;
          i += 8;
        }
      }
      while (i < end && (c = b[i]) >= '0' && c <= '9') {
        if (m < MAX_MANTISSA) {
          m = m * 10 + (c - '0');
          e--;
        } else {
          cut = true;
        }
        i++;
      }
      if (i == first) {
        at = i;
        return NOT_A_NUMBER;
      }
    }
    if (i < end && (b[i] == 'e' || b[i] == 'E')) {
      whole = false;
      i++;
      boolean negativePower = i < end && b[i] == '-';
      if (i < end && (b[i] == '-' || b[i] == '+')) {
        i++;
      }
      int first = i;
      int power = 0;
      while (i < end && (c = b[i]) >= '0' && c <= '9') {
        // Past 10^8 the value is 0 or infinite either way; the slow path reads it.
        power = power < 100_000_000 ? power * 10 + (c - '0') : power;
        cut |= power >= 100_000_000;
        i++;
      }
      if (i == first) {
        at = i;
        return NOT_A_NUMBER;
      }
      e += negativePower ? -power : power;
    }
    at = i;
    negative = minus;
    mantissa = m;
    exponent = e;
    truncated = cut;
    if (whole) {
      return cut ? BIG_INTEGER : LONG;
    }
    return DECIMAL;
  }

  /**
   * How many of the eight bytes of a little-endian word, from the first, are ASCII digits. Each
   * byte XOR '0' is below 10 exactly for a digit; adding 0x76 sets a byte's top bit from 10 up. A
   * carry out of a non-digit byte can only spoil the bytes after it, past the first non-digit.
   */
  private static int leadingDigits(long word) {
    long x = word ^ ASCII_ZEROS;
    long notDigit = ((x + 0x7676767676767676L) | x) & 0x8080808080808080L;
    return notDigit == 0 ? 8 : Long.numberOfTrailingZeros(notDigit) >>> 3;
  }

  /** The value of eight digit values (0 to 9) in a little-endian word, first most significant. */
  private static long combineEight(long v) {
    v = v * 10 + (v >>> 8); // pairs: 10 * d[i] + d[i + 1] in every other byte
    long pairsOfPairs =
        (v & 0x000000FF000000FFL) * (100 + (1_000_000L << 32))
            + ((v >>> 16) & 0x000000FF000000FFL) * (1 + (10_000L << 32));
    return pairsOfPairs >>> 32;
  }

  /** Whether all eight bytes of a little-endian word are ASCII digits. */
  private static boolean isEightDigits(long word) {
    return ((word & 0xF0F0F0F0F0F0F0F0L)
            | (((word + 0x0606060606060606L) & 0xF0F0F0F0F0F0F0F0L) >>> 4))
        == 0x3333333333333333L;
  }

  /** The value of eight ASCII digits in a little-endian word, first digit most significant. */
  private static long eightDigits(long word) {
    return combineEight(word - ASCII_ZEROS);
  }

  /**
   * Reads a number as a float input takes it: an integer as Jackson's int or long token converted
   * to float, a decimal as {@code (float) Double.parseDouble}. NaN where the text is not a number
   * or is an integer past a long (whose BigInteger rounding the tree decoder applies): no JSON
   * number reads as NaN, so the caller can tell. Overflow gives an infinity, for the caller's
   * finite check.
   */
  public float scanFloat() {
    int kind = scanNumber();
    if (kind == LONG) {
      return (float) longValue();
    }
    return kind == DECIMAL ? (float) doubleValue() : Float.NaN;
  }

  /**
   * Reads a run of comma-separated numbers, the inside of an innermost array, into {@code dst} from
   * {@code from}, at most {@code max} of them; answers how many it read and leaves the position
   * right after the last one (before its comma), or where it was if it read none.
   *
   * <p>Each value is what {@link #scanFloat} gives for the same bytes: Clinger's exact case in the
   * loop, {@link JavaDoubleParser} on the number's bytes otherwise, both rounding as {@code
   * Double.parseDouble}, then the cast. It stops before a number that is not one to the JSON
   * grammar, an integer of more than 18 digits, or a value that is not finite as a float (the
   * caller reads that one with {@link #scanFloat}, which declines or applies its limits), and at
   * any byte but a comma after a number; every value it writes is finite. One loop over locals with
   * the cursor's fields written once: per number, the calls and field writes of {@link #scanNumber}
   * cost about as much as reading its digits.
   */
  public int scanFloats(float[] dst, int from, int max) {
    final byte[] b = body;
    final int limit = end;
    int i = at;
    int afterLast = i;
    int n = 0;
    while (n < max) {
      final int start = i;
      // Signs of tensor values are as likely one way as the other: no branch on them.
      int minus = i < limit && b[i] == '-' ? 1 : 0;
      i += minus;
      if (i >= limit) {
        break;
      }
      byte c = b[i];
      long m; // wraps past 18 digits, and is then not used
      int digits = 1;
      if (c == '0') {
        m = 0;
        i++;
      } else if (c >= '1' && c <= '9') {
        m = c - '0';
        i++;
        while (i < limit && (c = b[i]) >= '0' && c <= '9') {
          m = m * 10 + (c - '0');
          digits++;
          i++;
        }
      } else {
        break;
      }
      int fraction = -1;
      if (i < limit && b[i] == '.') {
        i++;
        fraction = 0;
        // Up to eight digits per step, however many there are: no branch per digit, whose
        // outcome varies from number to number. A mantissa that wraps here has more than 18
        // digits and is not used.
        while (limit - i >= 8) {
          int k = leadingDigits((long) LITTLE_ENDIAN_LONGS.get(b, i));
          if (k == 0) {
            break;
          }
          long digitsValue =
              combineEight(((long) LITTLE_ENDIAN_LONGS.get(b, i) ^ ASCII_ZEROS) << (64 - 8 * k));
          m = m * POWERS_OF_TEN_LONG[k] + digitsValue;
          fraction += k;
          i += k;
          if (k < 8) {
            break;
          }
        }
        while (i < limit && (c = b[i]) >= '0' && c <= '9') {
          m = m * 10 + (c - '0');
          fraction++;
          i++;
        }
        if (fraction == 0) {
          break;
        }
      }
      boolean power = i < limit && (b[i] == 'e' || b[i] == 'E');
      int exponent = 0;
      if (power) {
        i++;
        boolean negativePower = i < limit && b[i] == '-';
        if (i < limit && (b[i] == '-' || b[i] == '+')) {
          i++;
        }
        int first = i;
        while (i < limit && (c = b[i]) >= '0' && c <= '9') {
          // Past 10^5 only the slow path can round it (to 0 or infinity); stop counting there.
          exponent = exponent < 100_000 ? exponent * 10 + (c - '0') : exponent;
          i++;
        }
        if (i == first) {
          break;
        }
        exponent = negativePower ? -exponent : exponent;
      }
      float value;
      int places = Math.max(fraction, 0);
      int e10 = exponent - places;
      if (fraction < 0 && !power) {
        if (digits > 18) {
          break; // beyond a long: scanFloat declines it
        }
        value = (float) (m - 2 * minus * m);
      } else if (digits + places <= 18 && m < EXACT_MANTISSA && e10 >= -22 && e10 <= 22) {
        // Clinger's exact case, as doubleValue: one correctly rounded operation on exact doubles.
        double d = e10 < 0 ? m / POWERS_OF_TEN[-e10] : m * POWERS_OF_TEN[e10];
        value =
            (float) Double.longBitsToDouble(Double.doubleToRawLongBits(d) | ((long) minus << 63));
      } else {
        value = (float) JavaDoubleParser.parseDouble(b, start, i - start);
        if (!Float.isFinite(value)) {
          break;
        }
      }
      dst[from + n++] = value;
      afterLast = i;
      if (i >= limit || b[i] != ',') {
        break;
      }
      i++;
      while (i < limit && isWhitespace(b[i])) {
        i++;
      }
    }
    at = afterLast;
    return n;
  }

  /**
   * The integer {@link #scanNumber} read as {@link #LONG}; {@code -0} is 0, as Jackson reads it.
   */
  public long longValue() {
    return negative ? -mantissa : mantissa;
  }

  /** The number {@link #scanNumber} read as {@link #DECIMAL}, as Double.parseDouble rounds it. */
  public double doubleValue() {
    if (!truncated && mantissa < EXACT_MANTISSA && Math.abs(exponent) <= 22) {
      double d =
          exponent < 0 ? mantissa / POWERS_OF_TEN[-exponent] : mantissa * POWERS_OF_TEN[exponent];
      return negative ? -d : d;
    }
    return JavaDoubleParser.parseDouble(body, numberStart, at - numberStart);
  }

  /**
   * Skips a value beside the tensors ({@code "parameters"}, {@code "signature_name"}): plain ASCII
   * strings, numbers, literals, arrays and objects nested at most {@link #MAX_SKIPPED_DEPTH} deep,
   * to the JSON grammar; false for anything else, which Jackson then reads.
   */
  public boolean skipValue() {
    long objects = 0; // bit d: the container open at depth d + 1 is an object
    int depth = 0;
    while (true) {
      skipWhitespace();
      if (at >= end) {
        return false;
      }
      byte c = body[at];
      if (c == '{' || c == '[') {
        if (depth == MAX_SKIPPED_DEPTH) {
          return false;
        }
        at++;
        boolean object = c == '{';
        objects = object ? objects | (1L << depth) : objects & ~(1L << depth);
        depth++;
        skipWhitespace();
        if (at < end && body[at] == (object ? '}' : ']')) {
          at++;
          depth--;
        } else if (object && !member()) {
          return false;
        } else {
          continue;
        }
      } else if (c == '"') {
        if (name() == null) {
          return false;
        }
      } else if (c == 't' || c == 'f' || c == 'n') {
        if (!literal("true") && !literal("false") && !literal("null")) {
          return false;
        }
      } else if (scanNumber() == NOT_A_NUMBER) {
        return false;
      }
      // After a value: the next member or element, or containers closing.
      while (true) {
        if (depth == 0) {
          return true;
        }
        skipWhitespace();
        if (at >= end) {
          return false;
        }
        boolean object = (objects & (1L << (depth - 1))) != 0;
        byte next = body[at++];
        if (next == ',') {
          if (object && !member()) {
            return false;
          }
          break;
        }
        if (next != (object ? '}' : ']')) {
          return false;
        }
        depth--;
      }
    }
  }

  /** An object member's name and colon. */
  private boolean member() {
    return name() != null && skipTo(':');
  }

  /** A {@code true} or {@code false} after whitespace, or null (nothing consumed but space). */
  public Boolean bool() {
    skipWhitespace();
    if (literal("true")) {
      return Boolean.TRUE;
    }
    return literal("false") ? Boolean.FALSE : null;
  }

  private boolean literal(String word) {
    int n = word.length();
    if (end - at < n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      if (body[at + i] != word.charAt(i)) {
        return false;
      }
    }
    at += n;
    return true;
  }

  /**
   * A string after whitespace (a member name or a value): plain ASCII between quotes, no escapes;
   * null otherwise.
   */
  public String name() {
    if (!skipTo('"')) {
      return null;
    }
    int start = at;
    while (at < end) {
      byte c = body[at];
      if (c == '"') {
        String name = new String(body, start, at - start, StandardCharsets.ISO_8859_1);
        at++;
        return name;
      }
      if (c == '\\' || c < 0x20) {
        // Escapes, control bytes and (as negative bytes) anything non-ASCII.
        return null;
      }
      at++;
    }
    return null;
  }
}
