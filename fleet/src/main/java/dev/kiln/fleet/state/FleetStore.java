package dev.kiln.fleet.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.fleet.FleetErrorCode;
import dev.kiln.fleet.FleetException;
import dev.kiln.fleet.rollout.Deployment;
import dev.kiln.json.JsonMappers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The console's durable state: every device in one {@code devices.json} and one file per deployment
 * ({@code deployments/ID.json}). Each save is an atomic replace (temp file, fsync, rename), so
 * after a crash every file holds either its previous or its new content. When a save method
 * returns, the record is durable; when it throws, the previous content is still there. Devices
 * share one file because a rollout touches them all at once: one write per flush instead of a
 * thousand (measured: per-device files cost 13 s of fsyncs in a 1,000-device rollout).
 */
public final class FleetStore {
  private static final ObjectMapper MAPPER = JsonMappers.readable();

  private static final ObjectMapper COMPACT = JsonMappers.tolerant();

  private final Path devicesFile;
  private final Path deploymentsDir;

  public FleetStore(Path root) {
    this.devicesFile = root.resolve("devices.json");
    this.deploymentsDir = root.resolve("deployments");
    try {
      Files.createDirectories(deploymentsDir);
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO,
          "cannot create console state in " + root + ": " + e.getMessage() + "; check --state-dir",
          e);
    }
  }

  /** Replaces the device file with {@code all}. */
  public void saveDevices(Collection<DeviceRecord> all) {
    write(devicesFile, new ArrayList<>(all), COMPACT);
  }

  public void save(Deployment deployment) {
    write(deploymentsDir.resolve(deployment.id() + ".json"), deployment, MAPPER);
  }

  public List<DeviceRecord> loadDevices() {
    if (!Files.exists(devicesFile)) {
      return List.of();
    }
    try {
      return List.of(COMPACT.readValue(devicesFile.toFile(), DeviceRecord[].class));
    } catch (IOException e) {
      throw corrupt(devicesFile, "device list", e);
    }
  }

  /** All deployments, oldest first. */
  public List<Deployment> loadDeployments() {
    List<Deployment> all = loadAll(deploymentsDir, Deployment.class);
    all.sort(Comparator.comparingLong(Deployment::createdAt).thenComparing(Deployment::id));
    return all;
  }

  /** One deployment by id; NOT_FOUND names where it looked and how to list what there is. */
  public Deployment loadDeployment(String id) {
    Path file = deploymentsDir.resolve(id + ".json");
    if (!id.matches("[A-Za-z0-9._-]{1,64}") || !Files.isRegularFile(file)) {
      throw new FleetException(
          FleetErrorCode.NOT_FOUND,
          "no deployment "
              + id
              + " in "
              + deploymentsDir.getParent()
              + "; list them with kiln fleet status");
    }
    try {
      return MAPPER.readValue(file.toFile(), Deployment.class);
    } catch (IOException e) {
      throw corrupt(file, "Deployment", e);
    }
  }

  private static void write(Path file, Object value, ObjectMapper mapper) {
    try {
      AtomicFiles.write(file, mapper.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new FleetException(
          FleetErrorCode.STATE_IO, "cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static <T> List<T> loadAll(Path dir, Class<T> type) {
    List<T> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        try {
          out.add(MAPPER.readValue(f.toFile(), type));
        } catch (IOException e) {
          throw corrupt(f, type.getSimpleName(), e);
        }
      }
    } catch (IOException e) {
      throw new FleetException(FleetErrorCode.STATE_IO, "cannot list " + dir, e);
    }
    return out;
  }

  private static FleetException corrupt(Path f, String what, IOException e) {
    return new FleetException(
        FleetErrorCode.STATE_IO,
        f
            + " is not a valid "
            + what
            + " ("
            + e.getMessage()
            + "); restore it from a backup or delete it to forget those records",
        e);
  }
}
