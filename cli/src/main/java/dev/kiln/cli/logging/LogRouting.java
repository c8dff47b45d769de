package dev.kiln.cli.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import dev.kiln.cloud.broker.EmbeddedBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.LoggerFactory;

/**
 * Sends library log lines (transport connects, broker notices, retries) to a file, or with {@code
 * --verbose} to stderr, so that stdout carries only the command's own story and report.
 *
 * <p>The routing is written as a logback file and its path published in the system property {@link
 * EmbeddedBroker#LOGGING_CONFIG_PROPERTY}: the embedded HiveMQ broker reconfigures logback from a
 * file of its own when it starts, and uses that one, so the routing survives the broker.
 */
public final class LogRouting {
  private static final String QUIET_LIBRARIES =
      """
        <logger name="com.hivemq" level="WARN"/>
        <logger name="jetbrains.exodus" level="WARN"/>
        <logger name="io.netty" level="WARN"/>
        <logger name="oshi" level="ERROR"/>
        <logger name="org.eclipse.jetty" level="ERROR"/>
      """;

  private LogRouting() {}

  /**
   * Library lines at INFO and above are appended to {@code logFile}; nothing reaches the console.
   */
  public static void toFile(Path logFile) throws IOException {
    Path file = logFile.toAbsolutePath();
    Files.createDirectories(file.getParent());
    apply(
        file.resolveSibling(file.getFileName() + ".logback.xml"),
        """
        <configuration>
          <appender name="FILE" class="ch.qos.logback.core.FileAppender">
            <file>%s</file>
            <append>true</append>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level [%%thread] %%logger{0}: %%msg%%n</pattern></encoder>
          </appender>
        %s
          <logger name="dev.kiln" level="INFO"/>
          <root level="WARN"><appender-ref ref="FILE"/></root>
        </configuration>
        """
            .formatted(xmlText(file.toString()), QUIET_LIBRARIES));
  }

  /** {@code --verbose}: library lines at INFO and above on stderr, stdout stays the report's. */
  public static void toConsole() throws IOException {
    // One fixed file, rewritten each time with the same text, rather than a new one per run.
    Path dir = Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    apply(
        dir.resolve("kiln-verbose.logback.xml"),
        """
        <configuration>
          <appender name="STDERR" class="ch.qos.logback.core.ConsoleAppender">
            <target>System.err</target>
            <encoder><pattern>%%d{HH:mm:ss.SSS} %%-5level %%logger{0}: %%msg%%n</pattern></encoder>
          </appender>
        %s
          <logger name="dev.kiln" level="INFO"/>
          <root level="WARN"><appender-ref ref="STDERR"/></root>
        </configuration>
        """
            .formatted(QUIET_LIBRARIES));
  }

  private static void apply(Path configFile, String xml) throws IOException {
    Files.writeString(configFile, xml);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    context.reset();
    try {
      configurator.doConfigure(configFile.toFile());
    } catch (JoranException e) {
      throw new IOException("cannot apply the logging config " + configFile + ": " + e, e);
    }
    System.setProperty(EmbeddedBroker.LOGGING_CONFIG_PROPERTY, configFile.toString());
  }

  private static String xmlText(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
