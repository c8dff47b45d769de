package dev.kiln.agent.http;

import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The second half of a large tensor's nested arrays, read on another core while the request's own
 * thread reads the first half: a 1x3x224x224 JSON body costs about 3 ms to scan, most of a lone
 * request's overhead, and the other core sits idle while one request is served.
 *
 * <p>The half starts at an array that follows {@code "],"} near the middle of what is left of the
 * body. It is read with the same {@link JsonCursor} reads as the first, into its own values, and
 * what it met is kept as rows: arrays closed before the row, arrays opened, numbers in it. When the
 * first reader arrives at the same byte it replays those rows on the tensor's {@link
 * TensorAssembler}, which checks them as if it had read them itself, and goes on after them. A half
 * that meets anything but arrays and numbers (or a number {@link JsonCursor#scanFloat} would not
 * give as a finite float) stops there, and the first reader goes on from where the half's last
 * complete row left it, or reads it all itself when nothing was taken; a half that started outside
 * the tensor is never met and is dropped. So splitting changes how fast a body is read, never what
 * it means (tested against the sequential reading).
 *
 * <p>One helper thread for the agent: while it is busy with another request's half, a body is read
 * on one thread, as without it. Not used on a single core.
 */
final class SecondHalf {
  /**
   * Bodies smaller than this are read on one thread: the hand-off would cost more than it saves.
   */
  static final int MIN_BYTES = 256 * 1024;

  /** How far past the middle to look for a place to split. */
  private static final int SEARCH_BYTES = 64 * 1024;

  private static final boolean MULTICORE = Runtime.getRuntime().availableProcessors() > 1;

  /** Halves replayed since the agent started (tests check that splitting happened). */
  static final AtomicLong REPLAYED = new AtomicLong();

  private static final ThreadPoolExecutor HELPER =
      new ThreadPoolExecutor(
          0,
          1,
          30,
          TimeUnit.SECONDS,
          new SynchronousQueue<>(),
          r -> {
            Thread t = new Thread(r, "kiln-json-second-half");
            t.setDaemon(true);
            return t;
          });

  private final byte[] body;
  private final int length;
  private final DecodeLimits limits;
  private final int start;
  private volatile boolean dropped;
  private Future<?> reading;

  // What the reading found, published by the future's completion.
  private float[] values;
  private int count;
  private int[] rows = new int[3 * 64]; // (closes before, opens, numbers) per row
  private int rowCount;
  private int trailingCloses;
  private int end;

  private SecondHalf(byte[] body, int length, DecodeLimits limits, int start) {
    this.body = body;
    this.length = length;
    this.limits = limits;
    this.start = start;
  }

  /**
   * Starts reading the second half of the value at the cursor, when it is large enough, a place to
   * split is found and the helper is free; null otherwise.
   *
   * @param minBytes bodies with fewer bytes left than this are not split ({@link #MIN_BYTES}; tests
   *     pass less)
   */
  static SecondHalf start(
      byte[] body, int length, JsonCursor cursor, DecodeLimits limits, int minBytes) {
    int from = cursor.position();
    if (!MULTICORE || length - from < Math.max(minBytes, 16)) {
      return null;
    }
    int at =
        splitPoint(
            body,
            from + (length - from) / 2,
            Math.min(length, from + (length - from) / 2 + SEARCH_BYTES));
    if (at < 0) {
      return null;
    }
    SecondHalf half = new SecondHalf(body, length, limits, at);
    try {
      half.reading = HELPER.submit(half::read);
    } catch (RejectedExecutionException busy) {
      return null;
    }
    return half;
  }

  /**
   * The first {@code [} in [from, to) that follows {@code ]}, a comma and whitespace; -1 if none.
   */
  private static int splitPoint(byte[] b, int from, int to) {
    for (int i = Math.max(from, 1); i < to; i++) {
      if (b[i] != '[') {
        continue;
      }
      int j = i - 1;
      while (j > 0 && JsonCursor.isWhitespace(b[j])) {
        j--;
      }
      if (b[j] != ',') {
        continue;
      }
      j--;
      while (j > 0 && JsonCursor.isWhitespace(b[j])) {
        j--;
      }
      if (b[j] == ']') {
        return i;
      }
    }
    return -1;
  }

  /** Whether the cursor, after whitespace, stands where this half starts. */
  boolean startsAt(JsonCursor cursor) {
    cursor.skipWhitespace();
    return cursor.position() == start;
  }

  /** The first reader finished the tensor without meeting this half: stop reading it. */
  void drop() {
    dropped = true;
  }

  /**
   * Waits for the reading; whether it took at least one row. When it took none (it stopped at the
   * first, or failed), the first reader reads on from the half's start itself.
   */
  boolean await() {
    try {
      reading.get();
      return rowCount > 0;
    } catch (ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Replays the half's rows on {@code assembler}, after {@link #await} said there are some, the
   * cursor standing where the half starts with {@code depth} arrays open; moves the cursor past
   * them. Answers the depth after them (the arrays closed after the last row included), or -1 where
   * the assembler refused them: the body is then declined, as the first reader would have.
   */
  int replay(TensorAssembler assembler, int depth, JsonCursor cursor) {
    REPLAYED.incrementAndGet();
    int taken = 0;
    for (int r = 0; r < rowCount; r++) {
      depth = close(assembler, depth, rows[3 * r]);
      if (depth <= 0) {
        return -1; // rows after the tensor closed: not one array
      }
      for (int k = rows[3 * r + 1]; k > 0; k--) {
        if (!assembler.open(depth)) {
          return -1;
        }
        depth++;
      }
      int n = rows[3 * r + 2];
      if (!assembler.addFloats(values, taken, n, depth)) {
        return -1;
      }
      taken += n;
    }
    depth = close(assembler, depth, trailingCloses);
    cursor.seek(end);
    return depth;
  }

  /** Closes {@code n} arrays; -1 past the outermost or where the assembler refuses. */
  private static int close(TensorAssembler assembler, int depth, int n) {
    for (int k = 0; k < n; k++) {
      if (depth == 0) {
        return -1;
      }
      depth--;
      if (!assembler.close(depth) || (depth == 0 && k < n - 1)) {
        return -1;
      }
    }
    return depth;
  }

  /** On the helper: rows of numbers from {@link #start} until anything else. */
  private void read() {
    JsonCursor c = new JsonCursor(body, length);
    c.seek(start);
    values = new float[(int) Math.min(limits.maxElements(), Math.max(1024, (length - start) / 8))];
    int closes = 0;
    int lastEnd = start;
    while (!dropped) {
      int rowStart = c.position();
      int opens = 0;
      while (c.skipTo('[')) {
        opens++;
      }
      int n = 0; // numbers in this row, separated by commas
      boolean afterComma = false; // a comma taken, so a number must follow
      while (true) {
        c.skipWhitespace();
        if (count == values.length && !grow()) {
          break;
        }
        int run = c.scanFloats(values, count, values.length - count);
        if (run == 0) {
          float v = c.scanFloat();
          if (!Float.isFinite(v)) {
            break;
          }
          values[count] = v;
          run = 1;
        }
        count += run;
        n += run;
        afterComma = c.skipTo(',');
        if (!afterComma) {
          break;
        }
      }
      int closed = 0;
      int afterCloses = c.position();
      while (!afterComma && c.skipTo(']')) {
        closed++;
        afterCloses = c.position();
      }
      if (n == 0 || closed == 0) {
        // Not a row of numbers ending in ']' (a comma with no number after it included): keep the
        // rows before it, and stop before it.
        c.seek(rowStart);
        count -= n;
        break;
      }
      addRow(closes, opens, n);
      closes = closed;
      lastEnd = afterCloses;
      int beforeComma = c.position();
      if (!(c.skipTo(',') && c.peekIs('['))) {
        c.seek(beforeComma);
        break;
      }
    }
    if (rowCount == 0) {
      return;
    }
    trailingCloses = closes;
    end = lastEnd;
  }

  private boolean grow() {
    long bigger = Math.min(limits.maxElements(), 2L * values.length);
    if (bigger <= values.length) {
      return false;
    }
    values = Arrays.copyOf(values, (int) bigger);
    return true;
  }

  private void addRow(int closes, int opens, int n) {
    if (3 * rowCount + 3 > rows.length) {
      rows = Arrays.copyOf(rows, rows.length * 2);
    }
    rows[3 * rowCount] = closes;
    rows[3 * rowCount + 1] = opens;
    rows[3 * rowCount + 2] = n;
    rowCount++;
  }
}
