package dev.kiln.fleet.cli;

import dev.kiln.fleet.state.DeviceRecord;
import dev.kiln.fleet.state.FleetState;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Lists devices as the console last recorded them. Online flags are those the console saw; a
 * console that is not running cannot know who is online now.
 */
@Command(name = "devices", description = "List known devices: reported and desired versions.")
public final class DevicesCommand implements Callable<Integer> {
  @Mixin ConsoleOptions options;
  @Mixin ApiOptions api;
  @Spec CommandSpec spec;

  @Option(names = "--group", paramLabel = "G", description = "Only devices in group G")
  String group;

  @Option(names = "--json", description = "Print JSON instead of a table")
  boolean json;

  @Override
  public Integer call() throws Exception {
    var out = spec.commandLine().getOut();
    return FleetExit.run(
        spec.commandLine().getErr(),
        () -> {
          ServiceApi service = api.connect(options);
          if (service != null) {
            return ApiCommands.devices(service, group, json, out);
          }
          List<DeviceRecord> devices;
          try (FleetState state = options.reader()) {
            devices =
                state.loadDevices().stream()
                    .filter(d -> group == null || d.groups().contains(group))
                    .sorted(Comparator.comparing(DeviceRecord::deviceId))
                    .toList();
          }
          out.print(json ? Views.json(devices) + "\n" : Views.devices(devices));
          return FleetExit.OK;
        });
  }
}
