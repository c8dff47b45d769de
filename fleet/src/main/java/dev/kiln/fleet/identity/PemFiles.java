package dev.kiln.fleet.identity;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;

/**
 * Reads and writes the PEM files every broker and the agent understand: certificates as {@code
 * CERTIFICATE}, keys as unencrypted PKCS#8 {@code PRIVATE KEY} (what the agent's JDK-only TLS
 * reads). Everything written is readable by its owner only: folders 0700, files 0600.
 */
public final class PemFiles {
  private static final Base64.Encoder MIME =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private PemFiles() {}

  /** Creates {@code dir} (and parents) and makes it owner-only. */
  public static Path ownerOnlyDir(Path dir) {
    try {
      Files.createDirectories(dir);
      setPermissions(dir, "rwx------");
      return dir;
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.STATE_IO, "cannot create folder " + dir, e);
    }
  }

  public static void writeCertificate(Path file, X509Certificate cert) {
    try {
      write(file, pem("CERTIFICATE", cert.getEncoded()));
    } catch (GeneralSecurityException e) {
      throw new FleetException(FleetErrorCode.STATE_IO, "cannot encode certificate", e);
    }
  }

  public static void writeKey(Path file, PrivateKey key) {
    write(file, pem("PRIVATE KEY", key.getEncoded()));
  }

  /** Writes a text file owner-only, replacing any old one atomically. */
  public static void write(Path file, String text) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      Files.createFile(
          tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(tmp, text, StandardOpenOption.TRUNCATE_EXISTING);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.STATE_IO, "cannot write " + file, e);
    }
  }

  public static X509Certificate readCertificate(Path file) {
    try {
      return (X509Certificate)
          CertificateFactory.getInstance("X.509")
              .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(file)));
    } catch (IOException | GeneralSecurityException e) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID, "cannot read certificate " + file + ": " + e, e);
    }
  }

  /** An EC key in PKCS#8 PEM, as {@link #writeKey} writes it. */
  public static PrivateKey readEcKey(Path file) {
    try {
      String text = Files.readString(file);
      String body = text.replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").replaceAll("\\s", "");
      return KeyFactory.getInstance("EC")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
    } catch (IOException | GeneralSecurityException | IllegalArgumentException e) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID,
          "cannot read EC private key " + file + " (PKCS#8 PEM expected): " + e,
          e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + MIME.encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private static void setPermissions(Path p, String perms) throws IOException {
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
  }
}
