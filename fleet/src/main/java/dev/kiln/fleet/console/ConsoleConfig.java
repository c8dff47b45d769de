package dev.kiln.fleet.console;

import dev.kiln.fleet.rollout.RolloutEngine;
import dev.kiln.fleet.transfer.ChunkServer;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;

/**
 * Everything a {@link FleetConsole} needs; {@link #defaults} declares the defaults.
 *
 * @param commandTtl how long a command stays valid; devices reject it after that
 * @param tick how often deployments are stepped without an event (bake ends, timeouts)
 * @param deploymentTimeout a deployment not finished by then is TIMED_OUT
 * @param tls the console's mutual-TLS identity for an {@code ssl://} broker; null for none
 */
public record ConsoleConfig(
    String brokerUrl,
    String clientId,
    Path stateDir,
    KeyPair consoleKey,
    Duration commandTtl,
    Duration tick,
    Duration deploymentTimeout,
    RolloutEngine.Settings engine,
    int chunkSize,
    Tls tls) {

  /** PEM files: the CA to trust, and the console's certificate and key (null for server-only). */
  public record Tls(Path caFile, Path certFile, Path keyFile) {}

  public static ConsoleConfig defaults(String brokerUrl, Path stateDir, KeyPair consoleKey) {
    return new ConsoleConfig(
        brokerUrl,
        "kiln-console",
        stateDir,
        consoleKey,
        Duration.ofMinutes(10),
        Duration.ofMillis(250),
        Duration.ofHours(2),
        RolloutEngine.Settings.defaults(),
        ChunkServer.DEFAULT_CHUNK_SIZE,
        null);
  }

  public ConsoleConfig withTimeouts(Duration deployment, RolloutEngine.Settings settings) {
    return new ConsoleConfig(
        brokerUrl,
        clientId,
        stateDir,
        consoleKey,
        commandTtl,
        tick,
        deployment,
        settings,
        chunkSize,
        tls);
  }

  public ConsoleConfig withClientId(String id) {
    return new ConsoleConfig(
        brokerUrl,
        id,
        stateDir,
        consoleKey,
        commandTtl,
        tick,
        deploymentTimeout,
        engine,
        chunkSize,
        tls);
  }

  public ConsoleConfig withChunkSize(int bytes) {
    return new ConsoleConfig(
        brokerUrl,
        clientId,
        stateDir,
        consoleKey,
        commandTtl,
        tick,
        deploymentTimeout,
        engine,
        bytes,
        tls);
  }

  public ConsoleConfig withTls(Tls files) {
    return new ConsoleConfig(
        brokerUrl,
        clientId,
        stateDir,
        consoleKey,
        commandTtl,
        tick,
        deploymentTimeout,
        engine,
        chunkSize,
        files);
  }
}
