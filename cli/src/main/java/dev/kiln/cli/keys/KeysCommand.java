package dev.kiln.cli.keys;

import dev.kiln.artifact.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "keys",
    mixinStandardHelpOptions = true,
    description = "Manage signing keys.",
    subcommands = {KeysCommand.Generate.class})
public final class KeysCommand implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(
      name = "generate",
      mixinStandardHelpOptions = true,
      description = {
        "Make an Ed25519 key pair: NAME.key (private, mode 600) and NAME.pub.",
        "Sign with: kiln compile ... --sign-key NAME.key; trust on devices by copying NAME.pub."
      })
  static final class Generate implements Callable<Integer> {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(
        names = "--out",
        defaultValue = ".",
        description = "Directory for the key files (default: .).")
    Path out;

    @Option(
        names = "--name",
        defaultValue = "kiln",
        description = "Base name of the files (default: ${DEFAULT-VALUE}).")
    String name;

    @Override
    public Integer call() throws Exception {
      Files.createDirectories(out);
      KeyPair pair = Ed25519Keys.generate();
      Path priv = out.resolve(name + ".key");
      Path pub = out.resolve(name + ".pub");
      Ed25519Keys.writePair(pair, priv, pub);
      spec.commandLine()
          .getOut()
          .printf("wrote %s and %s (key id %s)%n", priv, pub, Ed25519Keys.keyId(pair.getPublic()));
      return 0;
    }
  }
}
