package dev.kiln.agent.cli;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.files.KeyFiles;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln-agent keygen --capture-key FILE}: writes a new random 32-byte key (base64, mode 0600)
 * for {@code cloud.capture.encryptionKeyFile}. It never overwrites a key: records sealed with the
 * old one could no longer be read.
 */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = "Create a key that encrypts the capture outbox at rest.")
public final class KeygenCommand implements Callable<Integer> {
  @Option(
      names = "--capture-key",
      required = true,
      paramLabel = "FILE",
      description =
          "Where to write the key (mode 0600); keep it outside the agent's stateDir, e.g."
              + " /etc/kiln/capture.key.")
  Path captureKey;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    try {
      KeyFiles.create(captureKey);
    } catch (FileAlreadyExistsException e) {
      throw new AgentException(
          AgentErrorCode.INVALID_CONFIG,
          captureKey
              + " already exists; a key is never overwritten (records sealed with it would be"
              + " lost): choose another path or remove it yourself");
    } catch (IOException e) {
      throw new AgentException(
          AgentErrorCode.IO_ERROR, "cannot write " + captureKey + ": " + e.getMessage());
    }
    spec.commandLine()
        .getOut()
        .println(
            "wrote a new capture key to "
                + captureKey
                + " (mode 0600); set cloud.capture.encryptionKeyFile to it");
    return 0;
  }
}
