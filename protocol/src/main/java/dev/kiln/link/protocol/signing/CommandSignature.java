package dev.kiln.link.protocol.signing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Sha256;
import dev.kiln.link.protocol.Command;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;

/**
 * What a command signature covers, and the signing itself. The signed text is a fixed,
 * newline-separated list of the fields plus the SHA-256 of the payload in a canonical JSON form
 * (object keys sorted), so re-serializing the payload on the way does not break the signature.
 */
public final class CommandSignature {
  static final String CONTEXT = "kiln-command-v1";

  private CommandSignature() {}

  public static Command sign(Command unsigned, KeyPair key) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.getPrivate());
      s.update(signedBytes(unsigned));
      return unsigned.withSignature(
          Ed25519Keys.keyId(key.getPublic()), Base64.getEncoder().encodeToString(s.sign()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Ed25519 signing failed; is the console key Ed25519?", e);
    }
  }

  public static boolean verify(Command c, PublicKey key) {
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key);
      s.update(signedBytes(c));
      return s.verify(Base64.getDecoder().decode(c.signature()));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  static byte[] signedBytes(Command c) {
    String text =
        String.join(
            "\n",
            CONTEXT,
            String.valueOf(c.schema()),
            c.id(),
            c.type(),
            c.deviceId(),
            Long.toString(c.issuedAt()),
            Long.toString(c.expiresAt()),
            c.nonce(),
            Sha256.of(canonical(c.payload()).getBytes(StandardCharsets.UTF_8)));
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** JSON with object keys sorted at every level; arrays keep their order. */
  static String canonical(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return "null";
    }
    if (node.isObject()) {
      List<String> names = new ArrayList<>();
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        names.add(it.next());
      }
      names.sort(String::compareTo);
      StringBuilder b = new StringBuilder("{");
      for (String n : names) {
        if (b.length() > 1) {
          b.append(',');
        }
        b.append(com.fasterxml.jackson.databind.node.TextNode.valueOf(n)).append(':');
        b.append(canonical(node.get(n)));
      }
      return b.append('}').toString();
    }
    if (node.isArray()) {
      StringBuilder b = new StringBuilder("[");
      for (JsonNode e : node) {
        if (b.length() > 1) {
          b.append(',');
        }
        b.append(canonical(e));
      }
      return b.append(']').toString();
    }
    return node.toString();
  }
}
