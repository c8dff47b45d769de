package dev.kiln.link.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A command from the cloud on {@code kiln/v1/devices/{id}/commands/{type}}. The device replies on
 * the MQTT 5 response topic (default {@link Topics#replies}) echoing the correlation data.
 *
 * <p>Devices act only on signed commands: {@code deviceId}, {@code nonce}, {@code keyId} and {@code
 * signature} make a command trustworthy, and {@code dev.kiln.link.command.CommandVerifier} checks
 * them before any handler runs (docs/protocol.md, "Signed commands").
 *
 * @param type deploy, rollback, or a later type; unknown types are rejected, not ignored
 * @param deviceId the one device this command is for; a copy sent elsewhere is refused
 * @param expiresAt epoch ms after which the device must not act on it (replies EXPIRED)
 * @param nonce random, never reused: with the id, what the replay window remembers
 * @param payload type-specific body (docs/protocol.md lists each)
 * @param keyId {@code Ed25519Keys.keyId} of the signing key, so devices can rotate keys
 * @param signature base64 Ed25519 signature over {@code CommandSignature.signedBytes}
 */
public record Command(
    int schema,
    String id,
    String type,
    String deviceId,
    long issuedAt,
    long expiresAt,
    String nonce,
    JsonNode payload,
    String keyId,
    String signature) {

  public boolean expired(long nowMs) {
    return expiresAt > 0 && nowMs > expiresAt;
  }

  /** The same command with {@code keyId} and {@code signature} set (or cleared, with nulls). */
  public Command withSignature(String key, String sig) {
    return new Command(schema, id, type, deviceId, issuedAt, expiresAt, nonce, payload, key, sig);
  }
}
