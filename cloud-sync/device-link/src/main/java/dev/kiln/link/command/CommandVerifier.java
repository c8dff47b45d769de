package dev.kiln.link.command;

import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.signing.CommandSignature;
import java.security.PublicKey;
import java.util.Map;

/**
 * The device-side gate in front of every command: accepts it only if it is signed by a trusted
 * console key, addressed to this device, inside its validity window, and never seen before. No MQTT
 * library here, so the agent can use it as is.
 */
public final class CommandVerifier {
  /** Why a command was refused; the reason text goes back to the console beside {@link #code}. */
  public enum Rejection {
    MALFORMED,
    UNSIGNED,
    UNTRUSTED_KEY,
    BAD_SIGNATURE,
    WRONG_DEVICE,
    NOT_YET_VALID,
    EXPIRED,
    TOO_LONG_LIVED,
    REPLAYED;

    /** The reply code of the same name. */
    public ReplyCode code() {
      return ReplyCode.valueOf(name());
    }
  }

  /** The outcome: the command when accepted, else the rejection and a sentence for the console. */
  public record Verdict(Command command, Rejection rejection, String reason) {
    public boolean accepted() {
      return rejection == null;
    }
  }

  private final String deviceId;
  private final Map<String, PublicKey> trustedKeys;
  private final ReplayWindow window;
  private final long maxClockSkewMs;
  private final long maxLifetimeMs;

  /**
   * @param maxClockSkewMs how far ahead of the device clock {@code issuedAt} may be
   * @param maxLifetimeMs the longest {@code expiresAt - issuedAt} accepted; bounds the window
   */
  public CommandVerifier(
      String deviceId,
      Map<String, PublicKey> trustedKeys,
      ReplayWindow window,
      long maxClockSkewMs,
      long maxLifetimeMs) {
    this.deviceId = deviceId;
    this.trustedKeys = Map.copyOf(trustedKeys);
    this.window = window;
    this.maxClockSkewMs = maxClockSkewMs;
    this.maxLifetimeMs = maxLifetimeMs;
  }

  /** Checks a raw command body; on acceptance the id and nonce are remembered durably. */
  public Verdict verify(byte[] json, long now) {
    Command c;
    try {
      c = ProtocolJson.read(json, Command.class);
    } catch (RuntimeException e) {
      return reject(null, Rejection.MALFORMED, e.getMessage());
    }
    if (c.id() == null || c.type() == null || c.nonce() == null) {
      return reject(c, Rejection.MALFORMED, "command lacks id, type or nonce");
    }
    if (c.signature() == null || c.keyId() == null) {
      return reject(c, Rejection.UNSIGNED, "command is not signed; the console must sign commands");
    }
    PublicKey key = trustedKeys.get(c.keyId());
    if (key == null && trustedKeys.isEmpty()) {
      return reject(
          c,
          Rejection.UNTRUSTED_KEY,
          "this device trusts no console key; install the console's public key on the device"
              + " (docs/fleet.md, \"Trusting the console\")");
    }
    if (key == null) {
      return reject(
          c,
          Rejection.UNTRUSTED_KEY,
          "command is signed by key " + c.keyId() + ", which this device does not trust");
    }
    if (!CommandSignature.verify(c, key)) {
      return reject(c, Rejection.BAD_SIGNATURE, "signature does not match the command");
    }
    if (!deviceId.equals(c.deviceId())) {
      return reject(
          c, Rejection.WRONG_DEVICE, "command is for device " + c.deviceId() + ", not " + deviceId);
    }
    if (c.issuedAt() > now + maxClockSkewMs) {
      return reject(
          c,
          Rejection.NOT_YET_VALID,
          "command is issued " + (c.issuedAt() - now) + " ms in the future; check clocks");
    }
    if (c.expiresAt() <= now) {
      return reject(c, Rejection.EXPIRED, "command expired " + (now - c.expiresAt()) + " ms ago");
    }
    if (c.expiresAt() - c.issuedAt() > maxLifetimeMs) {
      return reject(
          c,
          Rejection.TOO_LONG_LIVED,
          "command lives longer than "
              + maxLifetimeMs
              + " ms; the console must shorten its expiry");
    }
    if (window.seen(c.id(), c.nonce())) {
      return reject(c, Rejection.REPLAYED, "command id or nonce was already used");
    }
    window.remember(c.id(), c.nonce(), c.expiresAt(), now);
    return new Verdict(c, null, "accepted");
  }

  private static Verdict reject(Command c, Rejection r, String reason) {
    return new Verdict(c, r, r + ": " + reason);
  }
}
