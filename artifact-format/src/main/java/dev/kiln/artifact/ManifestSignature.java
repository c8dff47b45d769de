package dev.kiln.artifact;

import dev.kiln.json.RecordReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Map;

/**
 * The detached signature {@code manifest.sig}: Ed25519 over the exact bytes of manifest.json. The
 * manifest pins the payload and sample by SHA-256, so the signature covers them too.
 */
public record ManifestSignature(String algorithm, String keyId, String signature) {

  public static ManifestSignature sign(byte[] manifestBytes, PrivateKey key, PublicKey publicKey) {
    try {
      Signature signer = Signature.getInstance("Ed25519");
      signer.initSign(key);
      signer.update(manifestBytes);
      return new ManifestSignature(
          "Ed25519",
          Ed25519Keys.keyId(publicKey),
          Base64.getEncoder().encodeToString(signer.sign()));
    } catch (GeneralSecurityException e) {
      throw new ArtifactException(
          ArtifactErrorCode.BAD_KEY, "cannot sign with this key: " + e.getMessage(), e);
    }
  }

  /**
   * Checks the signature in {@code dir} against the trusted keys, found by key id.
   *
   * @throws ArtifactException UNSIGNED, UNTRUSTED_KEY or SIGNATURE_INVALID
   */
  public static String verify(Path dir, Map<String, PublicKey> trustedById) throws IOException {
    Path sigFile = dir.resolve(ArtifactFormat.SIGNATURE);
    if (!Files.isRegularFile(sigFile)) {
      throw new ArtifactException(
          ArtifactErrorCode.UNSIGNED,
          "artifact is not signed; compile it with --sign-key, or allow unsigned artifacts in the"
              + " agent config (security.requireSignature=false)");
    }
    ManifestSignature sig =
        RecordReader.read(
            Files.readAllBytes(sigFile), ManifestSignature.class, RecordReader.Mode.LENIENT);
    PublicKey key = trustedById.get(sig.keyId());
    if (key == null) {
      throw new ArtifactException(
          ArtifactErrorCode.UNTRUSTED_KEY,
          "artifact is signed by key "
              + sig.keyId()
              + ", which is not among the trusted keys "
              + trustedById.keySet()
              + "; add its .pub file to the agent's trusted keys directory");
    }
    try {
      Signature verifier = Signature.getInstance("Ed25519");
      verifier.initVerify(key);
      verifier.update(Files.readAllBytes(dir.resolve(ArtifactFormat.MANIFEST)));
      if (!verifier.verify(Base64.getDecoder().decode(sig.signature()))) {
        throw invalid(null);
      }
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw invalid(e);
    }
    return sig.keyId();
  }

  private static ArtifactException invalid(Exception cause) {
    return new ArtifactException(
        ArtifactErrorCode.SIGNATURE_INVALID,
        "manifest signature does not verify: the manifest was altered after signing",
        cause);
  }
}
