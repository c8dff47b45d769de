package dev.kiln.cloud.broker;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.kiln.cloud.CloudErrorCode;
import dev.kiln.cloud.CloudException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletionException;

/**
 * An in-process MQTT 5 broker for {@code kiln cloud run} without {@code --broker}: HiveMQ Community
 * Edition, embedded. (Moquette 0.17, the newest on Maven Central, speaks only MQTT 3.1.1 and
 * refuses Paho's v5 CONNECT.) The only class that knows HiveMQ.
 *
 * <p>With {@code persistent}, sessions and queued QoS 1 messages live in {@code dataDir} and
 * survive a restart; without, everything is in memory (tests).
 */
public final class EmbeddedBroker implements AutoCloseable {
  private final EmbeddedHiveMQ hivemq;
  private final String bindAddress;
  private final int port;

  private EmbeddedBroker(EmbeddedHiveMQ hivemq, String bindAddress, int port) {
    this.hivemq = hivemq;
    this.bindAddress = bindAddress;
    this.port = port;
  }

  /** Starts the broker and returns once it accepts connections on {@code bindAddress:port}. */
  public static EmbeddedBroker start(
      String bindAddress, int port, Path dataDir, boolean persistent) {
    try {
      Path conf = Files.createDirectories(dataDir.resolve("conf"));
      Files.createDirectories(dataDir.resolve("extensions"));
      Files.createDirectories(dataDir.resolve("data"));
      Files.writeString(conf.resolve("config.xml"), config(bindAddress, port, persistent));
      Files.writeString(conf.resolve("logback.xml"), loggingConfig());
      EmbeddedHiveMQ h =
          EmbeddedHiveMQ.builder()
              .withConfigurationFolder(conf)
              .withDataFolder(dataDir.resolve("data"))
              .withExtensionsFolder(dataDir.resolve("extensions"))
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
      return new EmbeddedBroker(h, bindAddress, port);
    } catch (IOException e) {
      throw new CloudException(
          CloudErrorCode.BROKER_FAILED, "cannot prepare broker folder " + dataDir, e);
    }
  }

  public int port() {
    return port;
  }

  /** A URL for clients in this process. */
  public String localUrl() {
    String host = bindAddress.equals("0.0.0.0") ? "127.0.0.1" : bindAddress;
    return "tcp://" + host + ":" + port;
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

  private static String config(String bind, int port, boolean persistent) {
    return """
        <?xml version="1.0"?>
        <hivemq>
          <listeners>
            <tcp-listener><port>%d</port><bind-address>%s</bind-address></tcp-listener>
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
        .formatted(port, bind, persistent ? "file" : "in-memory");
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
