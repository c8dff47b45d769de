package dev.kiln.cloud.dataset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which part of a training set a record belongs to, decided by its request id alone: the first four
 * bytes of SHA-256 of the id (UTF-8), as an unsigned number, modulo 100; below {@link
 * #TRAIN_PERCENT} is training, the rest validation. So the same record lands in the same part in
 * every export, whatever else was exported with it, and a record never moves from validation into
 * training as the set grows.
 */
public final class DatasetSplit {
  /** 80 % training, 20 % validation. */
  public static final int TRAIN_PERCENT = 80;

  public static final String TRAIN = "train";
  public static final String VALIDATION = "validation";

  private DatasetSplit() {}

  public static String of(String requestId) {
    return bucket(requestId) < TRAIN_PERCENT ? TRAIN : VALIDATION;
  }

  /** 0 to 99. */
  static int bucket(String requestId) {
    byte[] h = sha256(requestId.getBytes(StandardCharsets.UTF_8));
    long n =
        ((h[0] & 0xFFL) << 24) | ((h[1] & 0xFFL) << 16) | ((h[2] & 0xFFL) << 8) | (h[3] & 0xFFL);
    return (int) (n % 100);
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java has SHA-256", e);
    }
  }
}
