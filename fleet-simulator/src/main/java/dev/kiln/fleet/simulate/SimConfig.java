package dev.kiln.fleet.simulate;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One simulated device.
 *
 * @param commandKeys console keys the device trusts for commands, by key id
 * @param artifactKeys keys it trusts for artifact signatures, by key id
 * @param models model name to the version it starts with
 */
public record SimConfig(
    String deviceId,
    String brokerUrl,
    String profile,
    List<String> groups,
    Path dataDir,
    Map<String, PublicKey> commandKeys,
    Map<String, PublicKey> artifactKeys,
    Map<String, String> models,
    SimBehavior behavior,
    Duration heartbeat) {}
