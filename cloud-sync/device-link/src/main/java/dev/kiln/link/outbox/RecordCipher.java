package dev.kiln.link.outbox;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Authenticated encryption of outbox records with AES-256-GCM from the JDK.
 *
 * <p>Each segment gets its own key, derived from the configured key and a random 16-byte salt kept
 * in the segment's header (HMAC-SHA256), so the 2^32 limit on random nonces under one GCM key
 * applies per segment (a few hundred thousand records), never to a device's whole life. Each record
 * gets a fresh random 96-bit nonce. The associated data is the record's sequence number, and the
 * sequence follows from the segment's file name and the record's place in it, so a record moved to
 * another place, within its segment or into another, fails authentication.
 *
 * <p>Not thread-safe: the outbox calls it under its own lock.
 */
public final class RecordCipher {
  static final int KEY_ID_BYTES = 8;
  static final int SALT_BYTES = 16;
  static final int NONCE_BYTES = 12;
  static final int TAG_BYTES = 16;

  /** Bytes a sealed record adds to its plaintext. */
  static final int OVERHEAD = NONCE_BYTES + TAG_BYTES;

  private static final byte[] KEY_ID_LABEL = label("kiln outbox key id");
  private static final byte[] SEGMENT_LABEL = label("kiln outbox segment key");

  private final byte[] key;
  private final byte[] keyId;
  private final SecureRandom random = new SecureRandom();
  private final Cipher cipher;

  /**
   * @param key 32 bytes, e.g. from {@link dev.kiln.files.KeyFiles#read}
   */
  public RecordCipher(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("an outbox key has 32 bytes, not " + key.length);
    }
    this.key = key.clone();
    this.keyId = Arrays.copyOf(hmac(this.key, KEY_ID_LABEL), KEY_ID_BYTES);
    try {
      this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no AES/GCM", e);
    }
  }

  /** A short, non-secret name of the key, kept in segment headers to tell keys apart. */
  byte[] keyId() {
    return keyId.clone();
  }

  String keyIdHex() {
    return hex(keyId);
  }

  byte[] newSalt() {
    byte[] salt = new byte[SALT_BYTES];
    random.nextBytes(salt);
    return salt;
  }

  /** The key of the segment whose header holds {@code salt}. */
  SecretKeySpec segmentKey(byte[] salt) {
    byte[] input = new byte[SEGMENT_LABEL.length + salt.length];
    System.arraycopy(SEGMENT_LABEL, 0, input, 0, SEGMENT_LABEL.length);
    System.arraycopy(salt, 0, input, SEGMENT_LABEL.length, salt.length);
    return new SecretKeySpec(hmac(key, input), "AES");
  }

  /** nonce || ciphertext || tag of {@code plaintext} as record {@code seq}. */
  byte[] seal(SecretKeySpec segmentKey, long seq, byte[] plaintext) {
    byte[] out = new byte[NONCE_BYTES + plaintext.length + TAG_BYTES];
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
    try {
      cipher.init(
          Cipher.ENCRYPT_MODE, segmentKey, new GCMParameterSpec(TAG_BYTES * 8, nonce, 0, 12));
      cipher.updateAAD(associatedData(seq));
      cipher.doFinal(plaintext, 0, plaintext.length, out, NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM encryption failed", e);
    }
    return out;
  }

  /**
   * The plaintext of a sealed record, or null when it fails authentication as record {@code seq}.
   */
  byte[] open(SecretKeySpec segmentKey, long seq, byte[] sealed) {
    if (sealed.length < OVERHEAD) {
      return null;
    }
    try {
      cipher.init(
          Cipher.DECRYPT_MODE, segmentKey, new GCMParameterSpec(TAG_BYTES * 8, sealed, 0, 12));
      cipher.updateAAD(associatedData(seq));
      return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (GeneralSecurityException e) {
      return null;
    }
  }

  private static byte[] associatedData(long seq) {
    return ByteBuffer.allocate(Segment.MAGIC_SEALED.length + 8)
        .put(Segment.MAGIC_SEALED)
        .putLong(seq)
        .array();
  }

  private static byte[] hmac(byte[] key, byte[] input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(input);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this JVM has no HmacSHA256", e);
    }
  }

  private static byte[] label(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  static String hex(byte[] bytes) {
    StringBuilder s = new StringBuilder();
    for (byte b : bytes) {
      s.append(String.format("%02x", b));
    }
    return s.toString();
  }
}
