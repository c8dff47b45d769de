package dev.kiln.link.protocol;

import java.util.List;

/**
 * Retained on {@code kiln/v1/devices/{id}/info} at every connect: what the console needs to target
 * and pre-check a device (its profile and arch, and its groups).
 */
public record DeviceInfo(
    int schema,
    String deviceId,
    String profile,
    String arch,
    List<String> groups,
    String agentVersion) {

  public DeviceInfo withAgentVersion(String version) {
    return new DeviceInfo(schema, deviceId, profile, arch, groups, version);
  }
}
