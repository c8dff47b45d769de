package dev.kiln.cli.bundle;

import dev.kiln.artifact.Json;
import dev.kiln.table.TextTable;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kiln agent bundle}: packs the built agent for one device architecture. */
@Command(
    name = "bundle",
    mixinStandardHelpOptions = true,
    description = {
      "Pack the built agent as kiln-agent-<version>-linux-<arch>.tar.gz for one architecture:",
      "its jars with only that architecture's native libraries, bin/kiln-agent and the systemd",
      "unit template. Unpack on the device and run: sudo bin/kiln-agent install"
    })
public final class AgentBundleCommand implements Callable<Integer> {
  @Option(
      names = "--target",
      required = true,
      description = "Device architecture: arm64 or x86_64.")
  String target;

  @Option(
      names = {"-o", "--output"},
      defaultValue = ".",
      description = "Directory for the bundle (default: the current directory).")
  Path output;

  @Option(names = "--force", description = "Replace an existing bundle.")
  boolean force;

  @Option(names = "--json", description = "Print the report as JSON.")
  boolean json;

  @Spec CommandSpec spec;

  /** The repo the {@code kiln} launcher runs from; it sets kiln.home. */
  static Path kilnHome() {
    String home = System.getProperty("kiln.home");
    return (home != null ? Path.of(home) : Path.of("")).toAbsolutePath().normalize();
  }

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    try {
      TargetArch arch = TargetArch.parse(target);
      AgentBuild build = AgentBuild.locate(kilnHome());
      BundleReport report =
          new AgentBundler(build, AgentBundler.defaultMavenRepo()).write(arch, output, force);
      if (json) {
        out.print(new String(Json.toBytes(report), java.nio.charset.StandardCharsets.UTF_8));
      } else {
        TextTable table = new TextTable("ENTRY", "SIZE", "NOTE");
        for (BundleReport.Entry entry : report.entries()) {
          table.row(entry.path(), Sizes.human(entry.bytes()), entry.note());
        }
        out.print(table.render());
        out.printf(
            "%s: %s compressed, %s unpacked, %d entries (%s)%n",
            report.bundle(),
            Sizes.human(report.bundleBytes()),
            Sizes.human(report.contentBytes()),
            report.entries().size(),
            report.arch());
      }
      out.flush();
      return 0;
    } catch (BundleException e) {
      spec.commandLine().getErr().println("error: " + e.getMessage());
      return e.code().exitCode();
    }
  }
}
