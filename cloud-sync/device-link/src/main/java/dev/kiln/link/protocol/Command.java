package dev.kiln.link.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command from the cloud on {@code kiln/v1/devices/{id}/commands/{type}}. The device replies on
 * the MQTT 5 response topic (default {@link Topics#replies}) echoing the correlation data.
 *
 * @param type deploy, rollback, config, or a later type; unknown types are rejected, not ignored
 * @param expiresAt epoch ms after which the device must not act on it (replies EXPIRED)
 * @param payload type-specific body (docs/protocol.md lists each)
 */
public record Command(
    int schema, String id, String type, long issuedAt, long expiresAt, JsonNode payload) {

  public boolean expired(long nowMs) {
    return expiresAt > 0 && nowMs > expiresAt;
  }
}
