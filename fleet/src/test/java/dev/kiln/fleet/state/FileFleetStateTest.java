package dev.kiln.fleet.state;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileFleetStateTest extends FleetStateContract {
  @TempDir Path dir;

  @Override
  FleetState open() {
    return FileFleetState.forConsole(dir);
  }

  @Override
  boolean recordsCommands() {
    return false;
  }
}
