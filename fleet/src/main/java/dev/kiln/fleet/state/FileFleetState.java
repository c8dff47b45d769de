package dev.kiln.fleet.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.audit.AuditLog;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The embedded default: fleet state as files in the state dir ({@link FleetStore}'s {@code
 * devices.json} and {@code deployments/ID.json}, {@code audit.jsonl}, and {@code requests/ID.json}
 * moved to {@code requests/done/} once carried out). Opened for the console, it holds {@link
 * ConsoleLock} for its lifetime; opened for reading, it only reads and refuses {@link #write}.
 */
public final class FileFleetState implements FleetState {
  private static final ObjectMapper JSON = JsonMappers.readable();

  private final Path dir;
  private final FleetStore store;
  private final Path requests;
  private final ConsoleLock lock;
  private AuditLog audit;

  /** Every device as last written: the device file holds them all, so a change rewrites it. */
  private Map<String, DeviceRecord> devices;

  private FileFleetState(Path dir, ConsoleLock lock) {
    this.dir = dir;
    this.lock = lock;
    this.store = new FleetStore(dir);
    this.requests = dir.resolve("requests");
  }

  /** For a console: locks the state dir (one console per dir) and opens the audit log. */
  public static FileFleetState forConsole(Path dir) {
    ConsoleLock lock = ConsoleLock.acquire(dir);
    try {
      FileFleetState s = new FileFleetState(dir, lock);
      s.audit = AuditLog.open(dir);
      return s;
    } catch (RuntimeException e) {
      lock.close();
      throw e;
    }
  }

  /** For commands that read the state (and queue requests) beside a running console. */
  public static FileFleetState forReading(Path dir) {
    return new FileFleetState(dir, null);
  }

  @Override
  public List<DeviceRecord> loadDevices() {
    List<DeviceRecord> loaded = store.loadDevices();
    devices = new TreeMap<>();
    for (DeviceRecord d : loaded) {
      devices.put(d.deviceId(), d);
    }
    return loaded;
  }

  @Override
  public List<Deployment> loadDeployments() {
    return store.loadDeployments();
  }

  @Override
  public Deployment loadDeployment(String id) {
    return store.loadDeployment(id);
  }

  @Override
  public void write(StateChanges changes) {
    if (lock == null) {
      throw new FleetException(
          FleetErrorCode.CONFIG_INVALID, "fleet state in " + dir + " was opened for reading");
    }
    if (!changes.devices().isEmpty()) {
      if (devices == null) {
        loadDevices();
      }
      Map<String, DeviceRecord> next = new TreeMap<>(devices);
      for (DeviceRecord d : changes.devices()) {
        next.put(d.deviceId(), d);
      }
      store.saveDevices(next.values());
      devices = next;
    }
    for (Deployment d : changes.deployments()) {
      store.save(d);
    }
    audit.append(changes.audit());
    for (String id : changes.requestsDone()) {
      Path from = requests.resolve(id + ".json");
      try {
        Files.createDirectories(requests.resolve("done"));
        Files.move(
            from, requests.resolve("done").resolve(id + ".json"), StandardCopyOption.ATOMIC_MOVE);
      } catch (NoSuchFileException e) {
        // Done before (a retried batch): nothing left to move.
      } catch (IOException e) {
        throw io("cannot mark request " + id + " done", e);
      }
    }
  }

  @Override
  public Map<String, byte[]> recordedCommands(Collection<String> commandIds) {
    return Map.of();
  }

  @Override
  public List<byte[]> auditLines() {
    return dev.kiln.fleet.audit.AuditTrail.lines(dir);
  }

  @Override
  public String auditWhere() {
    return dir.resolve(AuditLog.FILE).toString();
  }

  @Override
  public void submit(ConsoleRequest request) {
    checkId(request.id());
    Path file = requests.resolve(request.id() + ".json");
    if (Files.exists(file) || Files.exists(requests.resolve("done").resolve(file.getFileName()))) {
      return;
    }
    try {
      Files.createDirectories(requests);
      AtomicFiles.write(file, JSON.writeValueAsBytes(request));
    } catch (IOException e) {
      throw io("cannot queue request " + request.id(), e);
    }
  }

  @Override
  public List<ConsoleRequest> pendingRequests() {
    if (!Files.isDirectory(requests)) {
      return List.of();
    }
    List<ConsoleRequest> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(requests)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
        out.add(JSON.readValue(f.toFile(), ConsoleRequest.class));
      }
    } catch (IOException e) {
      throw io("cannot read the queued requests in " + requests, e);
    }
    out.sort(Comparator.comparingLong(ConsoleRequest::at).thenComparing(ConsoleRequest::id));
    return out;
  }

  static void checkId(String id) {
    if (id == null || !id.matches("[A-Za-z0-9._-]{1,64}")) {
      throw new FleetException(FleetErrorCode.CONFIG_INVALID, "bad request id '" + id + "'");
    }
  }

  private static FleetException io(String what, IOException e) {
    return new FleetException(FleetErrorCode.STATE_IO, what + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    if (audit != null) {
      audit.close();
    }
    if (lock != null) {
      lock.close();
    }
  }
}
