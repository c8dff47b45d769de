package dev.kiln.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import picocli.CommandLine;

/** Runs the real kiln command line in-process and captures what a user would see. */
public record CliRun(int exitCode, String out, String err) {

  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cli = KilnMain.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  public static Path repo() {
    return Path.of(System.getProperty("kiln.repo.root", "..")).toAbsolutePath().normalize();
  }

  public static Path sample(String relative) {
    return repo().resolve("samples/models").resolve(relative);
  }
}
