package dev.kiln.artifact;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Ed25519 keys as PEM files (PKCS#8 private, X.509 public), readable by openssl. The JDK implements
 * Ed25519 since 15, so signing adds no dependency on the device.
 */
public final class Ed25519Keys {
  private static final String PRIVATE = "PRIVATE KEY";
  private static final String PUBLIC = "PUBLIC KEY";

  private Ed25519Keys() {}

  public static KeyPair generate() {
    try {
      return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("this Java runtime lacks Ed25519 (needs Java 15+)", e);
    }
  }

  /** Writes {@code NAME.key} (owner-only) and {@code NAME.pub}; refuses to overwrite either. */
  public static void writePair(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
    for (Path file : new Path[] {privateFile, publicFile}) {
      if (Files.exists(file)) {
        throw new ArtifactException(
            ArtifactErrorCode.OUTPUT_EXISTS,
            file + " already exists; choose another name or delete it first");
      }
    }
    AtomicFiles.write(publicFile, pem(PUBLIC, pair.getPublic().getEncoded()));
    AtomicFiles.write(privateFile, pem(PRIVATE, pair.getPrivate().getEncoded()));
    try {
      Files.setPosixFilePermissions(privateFile, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // Not a POSIX file system: nothing stricter to set.
    }
  }

  public static PrivateKey readPrivate(Path file) {
    try {
      byte[] der = unpem(file, PRIVATE);
      return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw badKey(file, "an Ed25519 private key", e);
    }
  }

  public static PublicKey readPublic(Path file) {
    try {
      byte[] der = unpem(file, PUBLIC);
      return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw badKey(file, "an Ed25519 public key", e);
    }
  }

  /**
   * Where a private key's public half lives: {@code NAME.pub} beside {@code NAME.key}, as {@code
   * kiln keys generate} writes them.
   */
  public static Path publicFileBeside(Path privateKeyFile) {
    String name = privateKeyFile.getFileName().toString();
    String base = name.endsWith(".key") ? name.substring(0, name.length() - 4) : name;
    return privateKeyFile.resolveSibling(base + ".pub");
  }

  /** A short, stable name for a public key: the first 16 hex digits of its SHA-256. */
  public static String keyId(PublicKey key) {
    return Sha256.of(key.getEncoded()).substring(0, 16);
  }

  private static byte[] pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    String text = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    return text.getBytes(StandardCharsets.US_ASCII);
  }

  private static byte[] unpem(Path file, String type) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new ArtifactException(
          ArtifactErrorCode.NOT_FOUND, "cannot read key " + file + ": " + e.getMessage(), e);
    }
    String begin = "-----BEGIN " + type + "-----";
    String end = "-----END " + type + "-----";
    int from = text.indexOf(begin);
    int to = text.indexOf(end);
    if (from < 0 || to < from) {
      throw new IllegalArgumentException("no '" + begin + "' block");
    }
    return Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to));
  }

  private static ArtifactException badKey(Path file, String expected, Exception cause) {
    return new ArtifactException(
        ArtifactErrorCode.BAD_KEY,
        file
            + " is not "
            + expected
            + " in PEM form ("
            + cause.getMessage()
            + "); make a key pair with: kiln keys generate",
        cause);
  }
}
