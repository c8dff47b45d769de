package dev.kiln.cloud.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kiln.cloud.CloudException;
import dev.kiln.cloud.CloudService;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerListenerTest {
  private static final BrokerTls TLS =
      new BrokerTls(
          Path.of("ca.crt"),
          Path.of("broker.crt"),
          Path.of("broker.key"),
          Path.of("ingest.crt"),
          Path.of("ingest.key"));

  @Test
  void loopback_mayBePlain() {
    assertThat(new BrokerListener("127.0.0.1", 1883, null).tls()).isNull();
    assertThat(new BrokerListener("localhost", 1883, null).bindAddress()).isEqualTo("localhost");
    assertThat(new BrokerListener("::1", 1883, null).port()).isEqualTo(1883);
  }

  @Test
  void anyOtherAddress_withoutTls_isRefused_namingTheFix() {
    for (String exposed :
        new String[] {"0.0.0.0", "::", "192.0.2.10", "", "no-such-host.invalid"}) {
      assertThatThrownBy(() -> new BrokerListener(exposed, 8883, null))
          .as(exposed)
          .isInstanceOf(CloudException.class)
          .hasMessageContaining("without TLS")
          .hasMessageContaining("--tls DIR/broker")
          .hasMessageContaining("kiln fleet provision --broker-host");
    }
  }

  @Test
  void anyAddress_withTls_isAccepted() {
    assertThat(new BrokerListener("0.0.0.0", 8883, TLS).tls()).isEqualTo(TLS);
  }

  @Test
  void cloudService_refusesAnExposedPlainBroker_beforeOpeningAnything(@TempDir Path tmp) {
    Path db = tmp.resolve("cloud.duckdb");
    CloudService.Options o =
        new CloudService.Options(
            null, db, "0.0.0.0", 1883, tmp.resolve("broker"), false, "ingest", null, null);
    assertThatThrownBy(() -> CloudService.start(o)).isInstanceOf(CloudException.class);
    assertThat(Files.exists(db)).isFalse();
    assertThat(Files.exists(tmp.resolve("broker"))).isFalse();
  }

  @Test
  void tlsFolder_withoutItsFiles_isRefused_namingTheCommand(@TempDir Path tmp) {
    assertThatThrownBy(() -> BrokerTls.fromDir(tmp))
        .isInstanceOf(CloudException.class)
        .hasMessageContaining("kiln fleet provision --broker-host");
  }
}
