package dev.kiln.cloud.service.inbox;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class FileInboxTest extends InboxContract {
  @TempDir Path dir;

  @Override
  Inbox open() {
    return FileInbox.open(dir);
  }
}
