package dev.kiln.fleet.device;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.link.protocol.Command;

/**
 * A {@link Command} with the fields that make it trustworthy: the device it is for, a nonce, and an
 * Ed25519 signature by the console key over all of them. Serialized as the command's JSON body;
 * readers of plain {@link Command} ignore the extra fields, so the two stay wire-compatible.
 *
 * @param keyId {@code Ed25519Keys.keyId} of the signing key, so devices can rotate keys
 * @param signature base64 Ed25519 signature over {@link CommandSignature#signedBytes}
 */
public record SignedCommand(
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

  public Command toCommand() {
    return new Command(schema, id, type, issuedAt, expiresAt, payload);
  }

  SignedCommand withSignature(String key, String sig) {
    return new SignedCommand(
        schema, id, type, deviceId, issuedAt, expiresAt, nonce, payload, key, sig);
  }
}
