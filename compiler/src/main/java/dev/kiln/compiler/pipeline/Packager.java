package dev.kiln.compiler.pipeline;

import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.ArtifactFormat;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.Ed25519Keys;
import dev.kiln.artifact.Json;
import dev.kiln.artifact.Manifest;
import dev.kiln.artifact.VerificationSample;
import dev.kiln.artifact.baseline.BaselineFiles;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/**
 * Stage 6: lays out the artifact (with {@code baseline.json} when the compile had real inputs),
 * seals it and moves it into place in one step.
 */
final class Packager {
  private Packager() {}

  /** Where the artifact goes: {@code -o x.kiln} as given, else a file named after the model. */
  static Path destination(CompileRequest request, String name, String version, String profile) {
    Path out = request.output() == null ? Path.of(".") : request.output();
    String file = out.getFileName() == null ? "" : out.getFileName().toString();
    if (file.endsWith(ArtifactFormat.EXTENSION) && !request.directoryOutput()) {
      return out;
    }
    String base = name + "-" + version + "-" + profile;
    return out.resolve(request.directoryOutput() ? base : base + ArtifactFormat.EXTENSION);
  }

  /** Fails before any work if the output exists, so a long compile does not end in that error. */
  static void checkDestination(Path destination, boolean force) {
    if (Files.exists(destination) && !force) {
      throw new CompileException(
          CompileErrorCode.OUTPUT_EXISTS,
          destination + " already exists; pass --force to replace it or choose another -o");
    }
  }

  static KeyPair signingKey(Path privateKeyFile) {
    if (privateKeyFile == null) {
      return null;
    }
    Path publicFile = Ed25519Keys.publicFileBeside(privateKeyFile);
    if (!Files.isRegularFile(privateKeyFile) || !Files.isRegularFile(publicFile)) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "--sign-key needs "
              + privateKeyFile
              + " and its public half "
              + publicFile
              + "; make both with: kiln keys generate --out "
              + privateKeyFile.getParent());
    }
    try {
      return new KeyPair(
          Ed25519Keys.readPublic(publicFile), Ed25519Keys.readPrivate(privateKeyFile));
    } catch (ArtifactException e) {
      throw new CompileException(CompileErrorCode.BAD_INPUT, e.getMessage(), e);
    }
  }

  static void write(
      Path workDir,
      Path payload,
      Manifest manifest,
      VerificationSample sample,
      byte[] baseline,
      KeyPair key,
      Path destination,
      boolean directory,
      boolean force)
      throws IOException {
    Path staging = Files.createDirectories(workDir.resolve("staging"));
    Files.copy(payload, staging.resolve(manifest.payload().file()));
    Files.write(staging.resolve(ArtifactFormat.SAMPLE), Json.toBytes(sample));
    Files.write(staging.resolve(ArtifactFormat.MANIFEST), Json.toBytes(manifest));
    if (baseline != null) {
      // Listed in SHA256SUMS like every file, so the signature covers it too.
      Files.write(staging.resolve(BaselineFiles.FILE_NAME), baseline);
    }
    ArtifactWriter.seal(staging, key);
    try {
      if (directory) {
        ArtifactWriter.writeDirectory(staging, destination, force);
      } else {
        ArtifactWriter.writeArchive(staging, destination, force);
      }
    } catch (ArtifactException e) {
      throw new CompileException(CompileErrorCode.OUTPUT_EXISTS, e.getMessage(), e);
    }
  }
}
