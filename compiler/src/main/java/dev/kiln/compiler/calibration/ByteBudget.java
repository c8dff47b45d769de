package dev.kiln.compiler.calibration;

/**
 * The memory a calibration set may take once decoded. Every reader asks before it allocates, using
 * sizes it has checked against the bytes actually present, so a file that claims more than it holds
 * (a .npy header, a zip entry) fails before any large allocation.
 */
final class ByteBudget {
  /** 1 GiB of decoded values: hundreds of 224x224 images, far more than calibration needs. */
  static final long DEFAULT_BYTES = 1L << 30;

  private final long limit;
  private long used;

  ByteBudget(long limit) {
    this.limit = limit;
  }

  long left() {
    return limit - used;
  }

  long limit() {
    return limit;
  }

  /** Reserves {@code bytes} for values read from {@code where}, or refuses naming the limit. */
  void take(long bytes, Object where) {
    if (bytes < 0 || bytes > left()) {
      throw Refusal.of(
          where,
          "it needs "
              + bytes
              + " bytes of memory once decoded, over what is left of the "
              + limit
              + "-byte limit for calibration data",
          "Use fewer samples (a few hundred are enough to calibrate), or split the data");
    }
    used += bytes;
  }
}
