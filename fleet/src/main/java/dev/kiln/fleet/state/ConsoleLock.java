package dev.kiln.fleet.state;

import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One console per state directory: two consoles driving the same deployments would send conflicting
 * commands and overwrite each other's files. The OS releases the lock if the process dies, so a
 * crash never leaves the directory locked.
 */
public final class ConsoleLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private ConsoleLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  public static ConsoleLock acquire(Path stateDir) {
    Path file = stateDir.resolve("console.lock");
    try {
      Files.createDirectories(stateDir);
      FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock l;
      try {
        l = ch.tryLock();
      } catch (OverlappingFileLockException e) {
        l = null;
      }
      if (l == null) {
        ch.close();
        throw new FleetException(
            FleetErrorCode.CONFIG_INVALID,
            "another console is running on "
                + stateDir
                + "; stop it, or point this command at it with the same --broker and let it"
                + " finish, or use another --state-dir");
      }
      return new ConsoleLock(ch, l);
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "cannot lock " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // Closing the channel releases the lock anyway.
    }
  }
}
