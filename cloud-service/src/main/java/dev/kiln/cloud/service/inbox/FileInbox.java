package dev.kiln.cloud.service.inbox;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.files.OwnerOnly;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The inbox as one JSON file per request, {@code STATE/inbox/REQUEST-ID.json}. Appending writes a
 * temp file, forces it, renames it into place and forces the folder ({@link AtomicFiles}), so after
 * a crash a request's file holds either nothing (never appended) or a whole request; completing
 * replaces the file the same way. One file per request keeps a completion to one small write, and a
 * request the service cannot parse stays visible, named, instead of hiding the rest. The folder is
 * created 0700. Safe for threads of one process; not for two processes (the console lock of the
 * same state folder keeps a second service out).
 */
public final class FileInbox implements Inbox {
  public static final String DIR = "inbox";
  private static final String ID = "[A-Za-z0-9._-]{1,80}";
  private static final ObjectMapper JSON = JsonMappers.readable();

  private final Path dir;
  private final Map<String, InboxRequest> requests = new HashMap<>();
  private long seq;

  private FileInbox(Path dir, List<InboxRequest> stored) {
    this.dir = dir;
    for (InboxRequest r : stored) {
      requests.put(r.requestId(), r);
      seq = Math.max(seq, r.seq());
    }
  }

  public static FileInbox open(Path stateDir) {
    Path dir = stateDir.resolve(DIR);
    try {
      OwnerOnly.createDirectories(dir);
    } catch (IOException e) {
      throw new InboxException("cannot create the inbox " + dir + ": " + e.getMessage(), e);
    }
    return new FileInbox(dir, readAll(dir));
  }

  @Override
  public synchronized InboxRequest append(InboxRequest request) {
    if (requests.containsKey(request.requestId()) || !request.requestId().matches(ID)) {
      throw new IllegalArgumentException(
          "request " + request.requestId() + " already exists or is not a valid id");
    }
    InboxRequest stored = request.withSeq(seq + 1);
    write(file(request.requestId()), stored);
    seq++;
    requests.put(stored.requestId(), stored);
    return stored;
  }

  @Override
  public synchronized void complete(InboxRequest done) {
    write(file(done.requestId()), done);
    requests.put(done.requestId(), done);
  }

  @Override
  public synchronized Optional<InboxRequest> get(String requestId) {
    return Optional.ofNullable(requests.get(requestId));
  }

  @Override
  public synchronized List<InboxRequest> pending() {
    List<InboxRequest> out = new ArrayList<>();
    for (InboxRequest r : requests.values()) {
      if (r.state() == InboxRequest.State.QUEUED) {
        out.add(r);
      }
    }
    out.sort(Comparator.comparingLong(InboxRequest::seq));
    return out;
  }

  private Path file(String requestId) {
    return dir.resolve(requestId + ".json");
  }

  private static void write(Path file, InboxRequest r) {
    try {
      AtomicFiles.write(file, JSON.writeValueAsBytes(r));
    } catch (IOException e) {
      throw new InboxException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static InboxRequest read(Path file) {
    try {
      return JSON.readValue(file.toFile(), InboxRequest.class);
    } catch (IOException e) {
      throw new InboxException(
          file + " is not a valid inbox request (" + e.getMessage() + "); move it aside", e);
    }
  }

  private static List<InboxRequest> readAll(Path dir) {
    List<InboxRequest> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        if (!f.getFileName().toString().startsWith(".")) {
          out.add(read(f));
        }
      }
    } catch (IOException e) {
      throw new InboxException("cannot list the inbox " + dir + ": " + e.getMessage(), e);
    }
    return out;
  }
}
