package dev.kiln.fleet.console;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.signing.CommandSignature;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.util.Base64;

/** Builds signed commands: every one gets a fresh nonce, an issue time and an expiry. */
public final class CommandFactory {
  private final KeyPair consoleKey;
  private final long ttlMs;
  private final SecureRandom random = new SecureRandom();

  public CommandFactory(KeyPair consoleKey, long ttlMs) {
    this.consoleKey = consoleKey;
    this.ttlMs = ttlMs;
  }

  public Command create(String id, String type, String deviceId, Object payload, long now) {
    byte[] nonce = new byte[16];
    random.nextBytes(nonce);
    JsonNode body = ProtocolJson.mapper().valueToTree(payload);
    Command unsigned =
        new Command(
            ProtocolJson.SCHEMA_VERSION,
            id,
            type,
            deviceId,
            now,
            now + ttlMs,
            Base64.getUrlEncoder().withoutPadding().encodeToString(nonce),
            body,
            null,
            null);
    return CommandSignature.sign(unsigned, consoleKey);
  }
}
