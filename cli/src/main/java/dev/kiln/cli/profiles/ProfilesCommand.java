package dev.kiln.cli.profiles;

import dev.kiln.artifact.Json;
import dev.kiln.profile.DeviceProfile;
import dev.kiln.profile.DeviceProfiles;
import dev.kiln.table.TextTable;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "profiles",
    mixinStandardHelpOptions = true,
    description = "List the device profiles kiln compile can target (--device NAME).")
public final class ProfilesCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print the profiles as JSON.")
  boolean json;

  @Override
  public Integer call() {
    var out = spec.commandLine().getOut();
    var all = DeviceProfiles.fromClasspath().all();
    if (json) {
      out.print(new String(Json.toBytes(all), StandardCharsets.UTF_8));
      return 0;
    }
    TextTable table =
        new TextTable(
            "name", "arch", "cpu", "cores", "memory", "accelerator", "engine", "providers");
    for (DeviceProfile p : all) {
      String accel =
          p.accelerator() == null
              ? "-"
              : p.accelerator().type()
                  + " cc "
                  + p.accelerator().computeCapability()
                  + (p.hasTensorRt() ? " trt " + p.accelerator().tensorrtVersion() : "");
      table.row(
          p.name() + (p.generic() ? " *" : ""),
          p.arch().jsonName(),
          p.cpu().model(),
          p.cpu().cores(),
          p.memoryMb() + " MB",
          accel,
          p.runtime().preferredEngine(),
          String.join(",", p.runtime().executionProviders()).replace("ExecutionProvider", ""));
    }
    out.print(table.render());
    out.println("* generic profile, chosen by --target arm64|x86_64|nvidia");
    return 0;
  }
}
