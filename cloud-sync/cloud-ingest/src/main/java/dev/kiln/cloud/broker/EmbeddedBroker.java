package dev.kiln.cloud.broker;

import com.hivemq.embedded.EmbeddedExtension;
import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletionException;

/**
 * An in-process MQTT 5 broker for {@code kiln cloud run} without {@code --broker}: HiveMQ Community
 * Edition, embedded. (Moquette 0.17, the newest on Maven Central, speaks only MQTT 3.1.1 and
 * refuses Paho's v5 CONNECT.) The only class, with its {@link AccessControl} extension, that knows
 * HiveMQ.
 *
 * <p>With {@code persistent}, sessions and queued QoS 1 messages live in {@code dataDir} and
 * survive a restart; without, everything is in memory (tests). The {@link BrokerListener} says
 * where it listens: plain and anonymous on loopback, or mutual TLS with per-device topic ACLs.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private final EmbeddedHiveMQ hivemq;
  private final BrokerListener listener;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, BrokerListener listener) {
    this.hivemq = hivemq;
    this.listener = listener;
  }

  /** A plain broker on {@code bindAddress}, which must be a loopback address. */
  public static EmbeddedBroker start(
      String bindAddress, int port, Path dataDir, boolean persistent) {
    return start(new BrokerListener(bindAddress, port, null), dataDir, persistent);
  }

  /** Starts the broker and returns once it accepts connections on the listener. */
  public static EmbeddedBroker start(BrokerListener listener, Path dataDir, boolean persistent) {
    String bindAddress = listener.bindAddress();
    int port = listener.port();
    try {
      Path conf = Files.createDirectories(dataDir.resolve("conf"));
      // The config names the TLS stores' password: only the broker's user may read it.
      Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwx------"));
      Files.createDirectories(dataDir.resolve("extensions"));
      Files.createDirectories(dataDir.resolve("data"));
      String listenerXml =
          listener.tls() == null
              ? plainListener(bindAddress, port)
              : TlsStores.write(listener.tls(), conf.resolve("tls")).listenerXml(bindAddress, port);
      Files.writeString(conf.resolve("config.xml"), config(listenerXml, persistent));
      Files.writeString(conf.resolve("logback.xml"), loggingConfig());
      EmbeddedHiveMQ h =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(conf)
              .withDataFolder(dataDir.resolve("data"))
              .withExtensionsFolder(dataDir.resolve("extensions"))
              .withEmbeddedExtension(
                  EmbeddedExtension.builder()
                      .withId("kiln-access-control")
                      .withName("Kiln access control")
                      .withVersion("1")
                      .withAuthor("Kiln")
                      .withPriority(1000)
                      .withStartPriority(1000)
                      .withExtensionMain(new AccessControl(listener.tls() != null))
                      .build())
              .build();
      try {
        h.start().join();
      } catch (CompletionException e) {
        closeQuietly(h);
        throw new CloudException(
            CloudErrorCode.BROKER_FAILED,
            "embedded broker did not start on "
                + bindAddress
                + ":"
                + port
                + " ("
                + e.getCause()
                + "); is the port in use? pick another with --port",
            e);
      }
      return new EmbeddedBroker(h, listener);
    } catch (IOException e) {
      throw new CloudException(
          CloudErrorCode.BROKER_FAILED, "cannot prepare broker folder " + dataDir, e);
    }
  }

  public int port() {
    return listener.port();
  }

  /** The TLS files, or null for a plain listener. */
  public BrokerTls tls() {
    return listener.tls();
  }

  /** A URL for clients in this process ({@code ssl://} with TLS). */
  public String localUrl() {
    String bind = listener.bindAddress();
    String host = bind.equals("0.0.0.0") || bind.equals("::") ? "127.0.0.1" : bind;
    return (listener.tls() == null ? "tcp://" : "ssl://") + host + ":" + listener.port();
  }

  @Override
  public void close() {
    try {
      hivemq.stop().join();
    } finally {
      closeQuietly(hivemq);
    }
  }

  private static void closeQuietly(EmbeddedHiveMQ h) {
    try {
      h.close();
    } catch (Exception ignored) {
      // Already stopping or never started.
    }
  }

  private static String plainListener(String bind, int port) {
    return "<tcp-listener><port>%d</port><bind-address>%s</bind-address></tcp-listener>"
        .formatted(port, bind);
  }

  private static String config(String listenerXml, boolean persistent) {
    return """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            %s
          </listeners>
          <mqtt>
            <queued-messages>
              <max-queue-size>1000000</max-queue-size>
              <strategy>discard</strategy>
            </queued-messages>
          </mqtt>
          <persistence><mode>%s</mode></persistence>
          <anonymous-usage-statistics><enabled>false</enabled></anonymous-usage-statistics>
        </hivemq>
        """
        .formatted(listenerXml, persistent ? "file" : "in-memory");
  }

  /**
   * HiveMQ reconfigures logback from its config folder when it starts, replacing the process's
   * logging. A process that routes its logs (the CLI sends them to a file) names its logback file
   * in this system property, and the broker starts with that one instead of {@link
   * #DEFAULT_LOGGING}.
   */
  public static final String LOGGING_CONFIG_PROPERTY = "kiln.logging.config";

  private static String loggingConfig() throws IOException {
    String routed = System.getProperty(LOGGING_CONFIG_PROPERTY);
    if (routed != null && Files.isReadable(Path.of(routed))) {
      return Files.readString(Path.of(routed));
    }
    return DEFAULT_LOGGING;
  }

  private static final String DEFAULT_LOGGING =
      """
      <configuration>
        <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} - %msg%n</pattern></encoder>
        </appender>
        <logger name="dev.kiln" level="INFO"/>
        <root level="WARN"><appender-ref ref="OUT"/></root>
      </configuration>
      """;
}
