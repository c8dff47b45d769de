package dev.kiln.fleet.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.fleet.FleetException;
import dev.kiln.link.protocol.TopicAcl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FleetCaTest {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String SERVER_AUTH = "1.3.6.1.5.5.7.3.1";
  private static final int SAN_URI = 6;
  private static final int SAN_DNS = 2;
  private static final int SAN_IP = 7;

  @TempDir Path tmp;

  @Test
  void deviceCertificate_chainsToTheFleetCa_withClientAuthOnly_andTheRequestedValidity()
      throws Exception {
    FleetCa ca = FleetCa.openOrCreate(tmp.resolve("pki"));
    IssuedIdentity dev = ca.issueClient("dev-a", Duration.ofDays(365));
    X509Certificate c = dev.certificate();

    validate(c, ca.certificate());
    assertThat(c.getSubjectX500Principal().getName()).contains("CN=dev-a");
    assertThat(c.getSubjectAlternativeNames()).contains(List.of(SAN_URI, FleetCa.uri("dev-a")));
    assertThat(c.getExtendedKeyUsage()).containsExactly(CLIENT_AUTH);
    assertThat(c.getKeyUsage()[0]).as("digitalSignature").isTrue();
    assertThat(c.getKeyUsage()[5]).as("keyCertSign").isFalse();
    assertThat(c.getBasicConstraints()).as("not a CA").isEqualTo(-1);
    long days =
        Duration.between(c.getNotBefore().toInstant(), c.getNotAfter().toInstant()).toDays();
    assertThat(days).isEqualTo(365);
    assertThat(c.getNotAfter().toInstant()).isAfter(Instant.now().plus(Duration.ofDays(364)));
    assertThat(dev.key().getAlgorithm()).isEqualTo("EC");

    X509Certificate root = ca.certificate();
    assertThat(root.getBasicConstraints()).as("a CA").isGreaterThanOrEqualTo(0);
    assertThat(root.getKeyUsage()[5]).as("keyCertSign").isTrue();
  }

  @Test
  void certificateFromAnotherCa_doesNotValidate() throws Exception {
    FleetCa ours = FleetCa.openOrCreate(tmp.resolve("ours"));
    FleetCa theirs = FleetCa.openOrCreate(tmp.resolve("theirs"));
    X509Certificate foreign = theirs.issueClient("dev-a", Duration.ofDays(1)).certificate();
    assertThatThrownBy(() -> validate(foreign, ours.certificate()))
        .isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void brokerCertificate_namesEveryHost_forServerAuth() throws Exception {
    FleetCa ca = FleetCa.openOrCreate(tmp.resolve("pki"));
    X509Certificate c =
        ca.issueServer(List.of("broker.example", "10.0.0.5"), Duration.ofDays(30)).certificate();
    validate(c, ca.certificate());
    assertThat(c.getExtendedKeyUsage()).containsExactly(SERVER_AUTH);
    assertThat(c.getSubjectAlternativeNames())
        .contains(List.of(SAN_DNS, "broker.example"), List.of(SAN_IP, "10.0.0.5"));
  }

  @Test
  void ca_isCreatedOnce_withAnOwnerOnlyKey_andReloadedAfter() throws Exception {
    Path dir = tmp.resolve("pki");
    FleetCa first = FleetCa.openOrCreate(dir);
    FleetCa again = FleetCa.openOrCreate(dir);
    assertThat(again.certificate()).isEqualTo(first.certificate());
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(
            PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve(FleetCa.KEY_FILE))))
        .isEqualTo("rw-------");
    // The reloaded key still signs certificates the original certificate verifies.
    validate(again.issueClient("dev-b", Duration.ofDays(1)).certificate(), first.certificate());
  }

  @Test
  void provisionedDevice_getsOwnerOnlyFiles_andAnAgentConfig() throws Exception {
    Provisioner p = new Provisioner(FleetCa.openOrCreate(tmp.resolve("pki")), Duration.ofDays(7));
    Path dir = p.device("dev-a", tmp.resolve("out/dev-a"), "ssl://broker.example:8883");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    for (String f :
        List.of(
            FleetCa.CERT_FILE,
            Provisioner.DEVICE_CERT,
            Provisioner.DEVICE_KEY,
            Provisioner.AGENT_CONFIG)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(f))))
          .as(f)
          .isEqualTo("rw-------");
    }
    assertThat(Files.readString(dir.resolve(Provisioner.DEVICE_KEY)))
        .startsWith("-----BEGIN PRIVATE KEY-----");
    String config = Files.readString(dir.resolve(Provisioner.AGENT_CONFIG));
    assertThat(config)
        .contains("\"deviceId\" : \"dev-a\"")
        .contains("\"brokerUrl\" : \"ssl://broker.example:8883\"")
        .contains("\"caFile\" : \"ca.crt\"")
        .contains("\"certFile\" : \"device.crt\"")
        .contains("\"keyFile\" : \"device.key\"");
  }

  @Test
  void serviceNames_andPlainBrokers_areRefusedForDevices() {
    Provisioner p = new Provisioner(FleetCa.openOrCreate(tmp.resolve("pki")), Duration.ofDays(7));
    assertThatThrownBy(() -> p.device(TopicAcl.CONSOLE, tmp.resolve("c"), "ssl://h:8883"))
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("fleet service");
    assertThatThrownBy(() -> p.device("dev-a", tmp.resolve("d"), "tcp://h:1883"))
        .isInstanceOf(FleetException.class)
        .hasMessageContaining("ssl://");
  }

  @Test
  void mosquittoAcl_grantsDevicesTheirOwnTopics_byPattern() {
    String acl = MosquittoConfig.acl();
    assertThat(acl)
        .contains("pattern write kiln/v1/devices/%u/status\n")
        .contains("pattern read kiln/v1/devices/%u/commands/#\n")
        .contains("user kiln-console\n")
        .contains("topic write kiln/v1/devices/+/commands/#\n")
        .contains("user kiln-ingest\n")
        .contains("topic read kiln/v1/devices/+/capture\n")
        .doesNotContain("pattern read kiln/v1/devices/+");
  }

  private static void validate(X509Certificate cert, X509Certificate root) throws Exception {
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(List.of(cert)), params);
  }
}
