package dev.kiln.agent.store;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.artifact.Artifact;
import dev.kiln.artifact.ArtifactException;
import dev.kiln.artifact.ArtifactWriter;
import dev.kiln.artifact.AtomicFiles;
import dev.kiln.artifact.Manifest;
import dev.kiln.json.RecordReader;
import dev.kiln.json.RecordWriter;
import dev.kiln.profile.Compatibility;
import dev.kiln.profile.CompatibilityResult;
import dev.kiln.profile.DeviceProfile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Verified artifacts on disk, under {@code <stateDir>/artifacts/<name>/<version>/}, and each
 * model's {@link InstalledModel} under {@code <stateDir>/models/<name>/state.json}.
 *
 * <p>Durability contract: when {@link #install} returns, the artifact directory is complete and
 * verified and its rename is on disk; when {@link #save} returns, the new state is on disk and a
 * crash at any earlier instant leaves the previous state file whole. Nothing is ever loaded from an
 * artifact that {@link Artifact#verify} has not passed in this process.
 */
public final class ArtifactStore {
  private static final String NAME_PATTERN = "[A-Za-z0-9][A-Za-z0-9._-]{0,127}";

  private final Path artifactsDir;
  private final Path modelsDir;
  private final Path incomingDir;
  private final Map<String, PublicKey> trustedKeys;
  private final boolean requireSignature;
  private final DeviceProfile device;

  public ArtifactStore(
      Path stateDir,
      Map<String, PublicKey> trustedKeys,
      boolean requireSignature,
      DeviceProfile device)
      throws IOException {
    this.artifactsDir = stateDir.resolve("artifacts");
    this.modelsDir = stateDir.resolve("models");
    this.incomingDir = artifactsDir.resolve(".incoming");
    this.trustedKeys = Map.copyOf(trustedKeys);
    this.requireSignature = requireSignature;
    this.device = device;
    Files.createDirectories(modelsDir);
    Files.createDirectories(incomingDir);
  }

  /**
   * Unpacks, verifies and checks compatibility of a {@code .kiln} file (or artifact directory),
   * then moves it into place. Installing the same version twice is a no-op when the payload is
   * identical and a VERSION_CONFLICT otherwise.
   */
  public StoredVersion install(Path source) throws IOException {
    if (!Files.exists(source)) {
      throw new AgentException(AgentErrorCode.ARTIFACT_REJECTED, source + " does not exist");
    }
    Path staging = incomingDir.resolve(UUID.randomUUID().toString());
    try {
      Artifact staged;
      if (Files.isDirectory(source)) {
        staged = Artifact.copy(source, staging);
      } else {
        staged = Artifact.unpack(source, staging);
      }
      String signedBy = verify(staged);
      Manifest.ModelInfo info = staged.manifest().model();
      String name = checkName("model name", info.name());
      String version = checkName("model version", info.version());
      Path target = artifactsDir.resolve(name).resolve(version);
      if (Files.exists(target)) {
        Manifest existing = Artifact.open(target).manifest();
        if (!existing.payload().sha256().equals(staged.manifest().payload().sha256())) {
          throw new AgentException(
              AgentErrorCode.VERSION_CONFLICT,
              name
                  + " version "
                  + version
                  + " is already installed with a different payload; bump the version");
        }
        return open(name, version);
      }
      Files.createDirectories(target.getParent());
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      AtomicFiles.fsyncDirectory(target.getParent());
      return new StoredVersion(name, version, Artifact.open(target), signedBy);
    } catch (ArtifactException e) {
      throw rejected(source.toString(), e);
    } finally {
      ArtifactWriter.deleteTree(staging);
    }
  }

  /** Opens and re-verifies an installed version: files at rest may have been altered. */
  public StoredVersion open(String name, String version) throws IOException {
    Path dir =
        artifactsDir.resolve(checkName("model name", name)).resolve(checkName("version", version));
    if (!Files.isDirectory(dir)) {
      throw new AgentException(
          AgentErrorCode.VERSION_NOT_FOUND, name + " version " + version + " is not installed");
    }
    try {
      Artifact artifact = Artifact.open(dir);
      return new StoredVersion(name, version, artifact, verify(artifact));
    } catch (ArtifactException e) {
      throw rejected(dir.toString(), e);
    }
  }

  public boolean isInstalled(String name, String version) {
    return Files.isDirectory(artifactsDir.resolve(name).resolve(version));
  }

  private String verify(Artifact artifact) throws IOException {
    String signedBy = artifact.verify(trustedKeys, requireSignature);
    Manifest m = artifact.manifest();
    List<String> providers =
        m.engine() == null || m.engine().executionProviders() == null
            ? List.of()
            : m.engine().executionProviders();
    CompatibilityResult result =
        Compatibility.check(m.target().arch(), m.target().profile(), providers, device);
    if (!result.ok()) {
      throw new AgentException(
          AgentErrorCode.INCOMPATIBLE_ARTIFACT,
          m.model().name() + " " + m.model().version() + " refused: " + result.reason());
    }
    return signedBy;
  }

  public InstalledModel state(String name) throws IOException {
    Path file = stateFile(checkName("model name", name));
    if (!Files.isRegularFile(file)) {
      return InstalledModel.empty(name);
    }
    return RecordReader.read(
        Files.readAllBytes(file), InstalledModel.class, RecordReader.Mode.LENIENT);
  }

  public void save(InstalledModel state) throws IOException {
    AtomicFiles.write(stateFile(state.name()), RecordWriter.canonical(state));
  }

  /** Every model with a state file, sorted. */
  public List<String> modelNames() throws IOException {
    List<String> names = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(modelsDir)) {
      dirs.filter(d -> Files.isRegularFile(d.resolve("state.json")))
          .map(d -> d.getFileName().toString())
          .sorted()
          .forEach(names::add);
    }
    return names;
  }

  /**
   * Repairs what a crash can leave: half-unpacked staging folders are deleted (nothing refers to
   * them) and a version caught LOADING goes back to INSTALLED (the versions named active were never
   * replaced, so they keep serving). Only the agent calls this, once, before serving.
   */
  public void recover() throws IOException {
    ArtifactWriter.deleteTree(incomingDir);
    Files.createDirectories(incomingDir);
    for (String name : modelNames()) {
      InstalledModel state = state(name);
      InstalledModel fixed = state;
      for (var e : state.versions().entrySet()) {
        if (e.getValue().state() == VersionState.LOADING) {
          fixed =
              fixed.withVersion(
                  e.getKey(), VersionState.INSTALLED, "activation interrupted by a restart");
        }
      }
      if (fixed != state) {
        save(fixed);
      }
    }
  }

  private Path stateFile(String name) {
    return modelsDir.resolve(name).resolve("state.json");
  }

  static String checkName(String what, String value) {
    if (value == null || !value.matches(NAME_PATTERN)) {
      throw new AgentException(
          AgentErrorCode.ARTIFACT_REJECTED,
          what
              + " '"
              + value
              + "' must be 1-128 letters, digits, '.', '_' or '-' starting alphanumeric");
    }
    return value;
  }

  private static AgentException rejected(String where, ArtifactException e) {
    return new AgentException(
        AgentErrorCode.ARTIFACT_REJECTED,
        where + " rejected (" + e.code() + "): " + e.getMessage(),
        e);
  }
}
