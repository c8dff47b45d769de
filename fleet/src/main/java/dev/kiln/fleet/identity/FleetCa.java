package dev.kiln.fleet.identity;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The fleet's certificate authority: an EC P-256 key and a self-signed certificate in {@code
 * ca.key} and {@code ca.crt} of its folder (the key 0600, the folder 0700), created on first use.
 * It issues client certificates (devices, the console, the ingestor: CN = identity, the identity
 * again as a {@code urn:kiln:identity:} SAN URI, clientAuth only) and broker certificates
 * (serverAuth, each host name or address as a SAN).
 */
public final class FleetCa {
  public static final String CERT_FILE = "ca.crt";
  public static final String KEY_FILE = "ca.key";

  /** A CA outlives the certificates it issues; a new CA means re-provisioning every device. */
  static final Duration CA_VALIDITY = Duration.ofDays(3650);

  /**
   * Issued certificates start an hour back, so a device whose clock is slightly slow accepts them.
   */
  private static final Duration BACKDATE = Duration.ofHours(1);

  private static final String ORGANIZATION = "Kiln fleet";
  private static final String SIGNATURE = "SHA256withECDSA";
  private static final Pattern IP_ADDRESS = Pattern.compile("[0-9.]+|.*:.*");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final X509Certificate certificate;
  private final PrivateKey key;
  private final Path certFile;

  private FleetCa(X509Certificate certificate, PrivateKey key, Path certFile) {
    this.certificate = certificate;
    this.key = key;
    this.certFile = certFile;
  }

  /** Whether {@code dir} already holds a CA. */
  public static boolean exists(Path dir) {
    return Files.exists(dir.resolve(CERT_FILE)) && Files.exists(dir.resolve(KEY_FILE));
  }

  /** Loads the CA in {@code dir}, creating it there first if it does not exist. */
  public static FleetCa openOrCreate(Path dir) {
    if (exists(dir)) {
      return new FleetCa(
          PemFiles.readCertificate(dir.resolve(CERT_FILE)),
          PemFiles.readEcKey(dir.resolve(KEY_FILE)),
          dir.resolve(CERT_FILE));
    }
    PemFiles.ownerOnlyDir(dir);
    KeyPair pair = newKeyPair();
    X500Name name = name("Kiln fleet CA");
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              name,
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(CA_VALIDITY)),
              name,
              pair.getPublic());
      JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(
          Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(pair.getPublic()));
      X509Certificate cert = sign(b, pair.getPrivate());
      // Key first: a folder with a certificate and no key is not a CA (see exists).
      PemFiles.writeKey(dir.resolve(KEY_FILE), pair.getPrivate());
      PemFiles.writeCertificate(dir.resolve(CERT_FILE), cert);
      return new FleetCa(cert, pair.getPrivate(), dir.resolve(CERT_FILE));
    } catch (GeneralSecurityException | CertIOException e) {
      throw new FleetException(FleetErrorCode.STATE_IO, "cannot create the fleet CA", e);
    }
  }

  public X509Certificate certificate() {
    return certificate;
  }

  public Path certificateFile() {
    return certFile;
  }

  /** A client certificate for {@code identity} (a device id, or a service's reserved name). */
  public IssuedIdentity issueClient(String identity, Duration validity) {
    return issue(
        identity,
        List.of(new GeneralName(GeneralName.uniformResourceIdentifier, uri(identity))),
        KeyPurposeId.id_kp_clientAuth,
        validity);
  }

  /** A broker certificate naming every host in {@code hosts} (DNS names or IP addresses). */
  public IssuedIdentity issueServer(List<String> hosts, Duration validity) {
    if (hosts.isEmpty()) {
      throw new FleetException(FleetErrorCode.CONFIG_INVALID, "a broker certificate needs a host");
    }
    List<GeneralName> names = new ArrayList<>();
    for (String h : hosts) {
      names.add(
          new GeneralName(
              IP_ADDRESS.matcher(h).matches() ? GeneralName.iPAddress : GeneralName.dNSName, h));
    }
    return issue(hosts.get(0), names, KeyPurposeId.id_kp_serverAuth, validity);
  }

  /** The SAN URI that names an identity in its certificate. */
  public static String uri(String identity) {
    return "urn:kiln:identity:" + identity;
  }

  private IssuedIdentity issue(
      String commonName, List<GeneralName> sans, KeyPurposeId purpose, Duration validity) {
    if (validity.isNegative() || validity.isZero()) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID, "certificate validity must be positive, got " + validity);
    }
    KeyPair pair = newKeyPair();
    Instant now = Instant.now();
    try {
      X509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()),
              serial(),
              Date.from(now.minus(BACKDATE)),
              Date.from(now.plus(validity)),
              name(commonName),
              pair.getPublic());
      JcaX509ExtensionUtils u = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(sans.toArray(new GeneralName[0])));
      b.addExtension(
          Extension.subjectKeyIdentifier, false, u.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(
          Extension.authorityKeyIdentifier, false, u.createAuthorityKeyIdentifier(certificate));
      return new IssuedIdentity(sign(b, key), pair.getPrivate());
    } catch (GeneralSecurityException | CertIOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "cannot issue a certificate for " + commonName, e);
    }
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey signer)
      throws GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter()
          .getCertificate(b.build(new JcaContentSignerBuilder(SIGNATURE).build(signer)));
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
  }

  private static X500Name name(String commonName) {
    return new X500NameBuilder(BCStyle.INSTANCE)
        .addRDN(BCStyle.O, ORGANIZATION)
        .addRDN(BCStyle.CN, commonName)
        .build();
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static KeyPair newKeyPair() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("the JDK has no EC P-256", e);
    }
  }
}
