package dev.kiln.agent.http;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;

/**
 * Caps the heap that request bodies, and the tensors decoded from them, may hold at once. Bodies
 * are read without a thread (see {@link BodyReader}), so without this cap every open connection
 * could park up to {@code http.maxBodyBytes} in memory: on a device's 64 MiB heap, eight clients
 * sending 6 MB JSON bodies ran the agent out of memory. A request over the budget gets a retryable
 * 503 {@code OVERLOADED} instead; a request alone is always admitted, so one body of the largest
 * allowed size is served whatever the heap.
 */
final class RequestMemory {
  /**
   * Heap per body byte while a request is in flight: the body itself plus what decoding it makes
   * (JSON and CSV build the float arrays and the parser's state beside the body; npy copies once).
   */
  static final int TEXT_COST = 4;

  static final int BINARY_COST = 2;

  private final long budgetBytes;
  private long reservedBytes;

  RequestMemory(long budgetBytes) {
    this.budgetBytes = budgetBytes;
  }

  /** Half the heap: the rest is the agent's own working set (models' Java side, metrics, GC). */
  static RequestMemory forThisHeap() {
    return new RequestMemory(Runtime.getRuntime().maxMemory() / 2);
  }

  long budgetBytes() {
    return budgetBytes;
  }

  synchronized long reservedBytes() {
    return reservedBytes;
  }

  /** One request's share; grows with its body, released once when the exchange ends. */
  Reservation reservation(String contentType) {
    return reservation(contentType, null);
  }

  /**
   * @param inferenceHeaderLength the Open Inference Protocol's {@code
   *     Inference-Header-Content-Length}: only that many leading bytes are JSON, the rest is raw
   *     tensor data decoded at the binary rate. A value that is not a number costs as all text.
   */
  Reservation reservation(String contentType, String inferenceHeaderLength) {
    boolean npy = contentType != null && contentType.toLowerCase().contains("npy");
    if (npy) {
      return new Reservation(BINARY_COST, 0);
    }
    long textBytes = Long.MAX_VALUE;
    if (inferenceHeaderLength != null) {
      try {
        textBytes = Math.max(0, Long.parseLong(inferenceHeaderLength.strip()));
      } catch (NumberFormatException e) {
        // Costed as text; the handler refuses the header.
      }
    }
    return new Reservation(TEXT_COST, textBytes);
  }

  final class Reservation {
    private final int costPerByte;
    private final long textBytes;
    private long held;
    private boolean released;

    /**
     * @param textBytes how many leading bytes cost {@code costPerByte}; the rest cost {@link
     *     #BINARY_COST}
     */
    private Reservation(int costPerByte, long textBytes) {
      this.costPerByte = costPerByte;
      this.textBytes = textBytes;
    }

    /**
     * Reserves room for a body of {@code bodyBytes} (what it had is counted in).
     *
     * @throws AgentException {@code OVERLOADED} when other requests hold the rest of the budget
     */
    void growTo(long bodyBytes) {
      long text = Math.min(bodyBytes, textBytes);
      long want = text * costPerByte + (bodyBytes - text) * BINARY_COST;
      synchronized (RequestMemory.this) {
        long more = want - held;
        if (more <= 0 || released) {
          return;
        }
        boolean alone = reservedBytes == held;
        if (!alone && reservedBytes + more > budgetBytes) {
          throw new AgentException(
              AgentErrorCode.OVERLOADED,
              "the agent is holding other large requests in memory ("
                  + (reservedBytes >> 20)
                  + " of "
                  + (budgetBytes >> 20)
                  + " MiB for request bodies); retry shortly, send smaller or .npy bodies, or give"
                  + " the agent more heap (KILN_AGENT_HEAP)");
        }
        reservedBytes += more;
        held = want;
      }
    }

    void release() {
      synchronized (RequestMemory.this) {
        if (!released) {
          released = true;
          reservedBytes -= held;
          held = 0;
        }
      }
    }
  }
}
