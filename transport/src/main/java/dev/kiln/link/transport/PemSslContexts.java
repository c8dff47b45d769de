package dev.kiln.link.transport;

import dev.kiln.link.error.LinkErrorCode;
import dev.kiln.link.error.LinkException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * Builds a TLS socket factory from PEM files with JDK classes only, so devices need no keystore
 * tooling and no BouncyCastle. Keys: PKCS#8 ("PRIVATE KEY", RSA/EC/Ed25519) or PKCS#1 ("RSA PRIVATE
 * KEY").
 */
public final class PemSslContexts {
  private static final Pattern BLOCK =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]+)-----END \\1-----");
  private static final char[] NO_PASSWORD = new char[0];

  private PemSslContexts() {}

  /** A factory trusting {@code caFile} (or JDK defaults when null), presenting cert+key if set. */
  public static SSLSocketFactory socketFactory(Path caFile, Path certFile, Path keyFile) {
    return context(caFile, certFile, keyFile).getSocketFactory();
  }

  /**
   * A TLS context trusting {@code caFile} (or JDK defaults when null) and presenting cert+key if
   * set; servers (the agent's HTTPS API) use it with their own certificate and the client CA.
   */
  public static SSLContext context(Path caFile, Path certFile, Path keyFile) {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      if (caFile == null) {
        tmf.init((KeyStore) null);
      } else {
        tmf.init(trustStore(caFile));
      }
      KeyManagerFactory kmf = null;
      if (certFile != null) {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        List<Certificate> chain = certificates(certFile);
        keys.setKeyEntry(
            "client", privateKey(keyFile), NO_PASSWORD, chain.toArray(new Certificate[0]));
        kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, NO_PASSWORD);
      }
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf.getTrustManagers(), null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new LinkException(
          LinkErrorCode.TLS_MATERIAL_INVALID, "cannot build TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * A PKCS#12 key store holding {@code certFile}'s chain with {@code keyFile}'s key under the alias
   * {@code key}, protected by {@code password}: for servers that take key stores, not PEM.
   */
  public static KeyStore keyStore(Path certFile, Path keyFile, char[] password) {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "key", privateKey(keyFile), password, certificates(certFile).toArray(new Certificate[0]));
      return keys;
    } catch (GeneralSecurityException | IOException e) {
      throw new LinkException(
          LinkErrorCode.TLS_MATERIAL_INVALID, "cannot read key pair: " + e.getMessage(), e);
    }
  }

  /** A PKCS#12 trust store with every certificate in {@code caFile}. */
  public static KeyStore trustStore(Path caFile) {
    try {
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      int i = 0;
      for (Certificate c : certificates(caFile)) {
        trust.setCertificateEntry("ca-" + i++, c);
      }
      return trust;
    } catch (GeneralSecurityException | IOException e) {
      throw new LinkException(
          LinkErrorCode.TLS_MATERIAL_INVALID, "cannot read CA file: " + e.getMessage(), e);
    }
  }

  static List<Certificate> certificates(Path file) throws IOException, GeneralSecurityException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<Certificate> out = new ArrayList<>();
    for (Block b : blocks(file)) {
      if (b.type().equals("CERTIFICATE")) {
        out.add(cf.generateCertificate(new ByteArrayInputStream(b.der())));
      }
    }
    if (out.isEmpty()) {
      throw new LinkException(
          LinkErrorCode.TLS_MATERIAL_INVALID,
          file + " holds no PEM 'CERTIFICATE' block; give a PEM certificate file");
    }
    return out;
  }

  static PrivateKey privateKey(Path file) throws IOException, GeneralSecurityException {
    for (Block b : blocks(file)) {
      switch (b.type()) {
        case "PRIVATE KEY":
          return pkcs8(file, b.der());
        case "RSA PRIVATE KEY":
          return KeyFactory.getInstance("RSA")
              .generatePrivate(new PKCS8EncodedKeySpec(wrapPkcs1Rsa(b.der())));
        case "EC PRIVATE KEY":
        case "ENCRYPTED PRIVATE KEY":
          throw new LinkException(
              LinkErrorCode.TLS_MATERIAL_INVALID,
              file
                  + " holds a '"
                  + b.type()
                  + "' block; convert it to unencrypted PKCS#8 with `openssl pkcs8 -topk8 -nocrypt"
                  + " -in KEY -out KEY.pk8`");
        default:
          break;
      }
    }
    throw new LinkException(
        LinkErrorCode.TLS_MATERIAL_INVALID, file + " holds no PEM private key block");
  }

  private static PrivateKey pkcs8(Path file, byte[] der) throws GeneralSecurityException {
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String alg : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
      try {
        return KeyFactory.getInstance(alg).generatePrivate(spec);
      } catch (GeneralSecurityException tryNext) {
        // The PEM header does not name the algorithm; the first factory that parses it wins.
      }
    }
    throw new LinkException(
        LinkErrorCode.TLS_MATERIAL_INVALID,
        file + " holds a PKCS#8 key that is not RSA, EC or Ed25519");
  }

  /** PKCS#1 RSAPrivateKey wrapped in a PKCS#8 PrivateKeyInfo with the rsaEncryption OID. */
  private static byte[] wrapPkcs1Rsa(byte[] pkcs1) {
    byte[] algId = {
      0x30,
      0x0d,
      0x06,
      0x09,
      0x2a,
      (byte) 0x86,
      0x48,
      (byte) 0x86,
      (byte) 0xf7,
      0x0d,
      0x01,
      0x01,
      0x01,
      0x05,
      0x00
    };
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octet = der(0x04, pkcs1);
    byte[] body = new byte[version.length + algId.length + octet.length];
    System.arraycopy(version, 0, body, 0, version.length);
    System.arraycopy(algId, 0, body, version.length, algId.length);
    System.arraycopy(octet, 0, body, version.length + algId.length, octet.length);
    return der(0x30, body);
  }

  private static byte[] der(int tag, byte[] content) {
    int len = content.length;
    byte[] lenBytes;
    if (len < 0x80) {
      lenBytes = new byte[] {(byte) len};
    } else if (len < 0x100) {
      lenBytes = new byte[] {(byte) 0x81, (byte) len};
    } else if (len < 0x10000) {
      lenBytes = new byte[] {(byte) 0x82, (byte) (len >> 8), (byte) len};
    } else {
      lenBytes = new byte[] {(byte) 0x83, (byte) (len >> 16), (byte) (len >> 8), (byte) len};
    }
    byte[] out = new byte[1 + lenBytes.length + len];
    out[0] = (byte) tag;
    System.arraycopy(lenBytes, 0, out, 1, lenBytes.length);
    System.arraycopy(content, 0, out, 1 + lenBytes.length, len);
    return out;
  }

  private static List<Block> blocks(Path file) throws IOException {
    if (!Files.isReadable(file)) {
      throw new LinkException(
          LinkErrorCode.TLS_MATERIAL_INVALID,
          "TLS file " + file + " does not exist or is unreadable");
    }
    String text = Files.readString(file, StandardCharsets.US_ASCII);
    Matcher m = BLOCK.matcher(text);
    List<Block> out = new ArrayList<>();
    while (m.find()) {
      out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
    }
    return out;
  }

  private record Block(String type, byte[] der) {}
}
