package dev.kiln.agent.cds;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kiln-agent cds --archive FILE}: dumps the class-data archive for this JVM and classpath
 * now. The agent does this by itself in the background when its archive is missing or stale; this
 * command is for doing it ahead of the first start (an image build, after a JDK upgrade).
 */
@Command(
    name = "cds",
    mixinStandardHelpOptions = true,
    description = {
      "Write the class-data sharing archive the device JVM options map at start.",
      "Run it with the same java and classpath as the agent (the launchers do)."
    })
public final class CdsCommand implements Callable<Integer> {
  @Option(
      names = "--archive",
      description = "Archive to write (default: the -D" + ClassDataArchive.PROPERTY + " value).")
  Path archive;

  @Option(names = "--if-stale", description = "Do nothing when the archive is current.")
  boolean ifStale;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    ClassDataArchive cds =
        archive != null
            ? ClassDataArchive.forThisJvm(archive)
            : ClassDataArchive.fromSystemProperty().orElse(null);
    if (cds == null) {
      spec.commandLine()
          .getErr()
          .println(
              "cds: name the archive with --archive FILE (or -D" + ClassDataArchive.PROPERTY + ")");
      return 2;
    }
    if (ifStale && cds.isCurrent()) {
      spec.commandLine().getOut().println(cds.path() + " is current");
      return 0;
    }
    long started = System.nanoTime();
    try {
      cds.create();
    } catch (java.io.IOException e) {
      spec.commandLine().getErr().println("cds failed: " + e.getMessage());
      return 1;
    }
    spec.commandLine()
        .getOut()
        .printf("wrote %s in %d ms%n", cds.path(), (System.nanoTime() - started) / 1_000_000);
    return 0;
  }
}
