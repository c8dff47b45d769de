package dev.kiln.agent.cli;

import dev.kiln.agent.cds.CdsCommand;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;

/**
 * {@code kiln-agent}: serve models ({@code run}), transform files ({@code batch}), make the capture
 * key ({@code keygen}), write the class-data archive ({@code cds}), install. The root of the
 * command model ({@link AgentCommandLine}) and the entry point: no method here names a picocli
 * class in its signature, since the launcher resolves those types when it looks for {@code main},
 * and the service's own start ({@link DirectRun}) runs without picocli.
 */
@Command(
    name = "kiln-agent",
    mixinStandardHelpOptions = true,
    version = "kiln-agent 0.1.0",
    description = "Serves Kiln artifacts on an edge device.",
    subcommands = {RunCommand.class, BatchCommand.class, KeygenCommand.class, CdsCommand.class})
public final class AgentMain {
  public static void main(String[] args) {
    System.setProperty("ai.djl.offline", "true");
    Optional<Path> served = DirectRun.config(args);
    System.exit(
        served.isPresent()
            ? DirectRun.run(served.get(), new PrintWriter(System.err, true))
            : AgentCommandLine.create().execute(args));
  }
}
