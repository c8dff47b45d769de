package dev.kiln.profile;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An immutable set of validated device profiles, looked up by name or by compile target.
 *
 * <p>Kiln's own profiles ship in the {@code kiln-device-profiles} jar under {@code
 * kiln/device-profiles/}; users may add or replace profiles with a folder of {@code <name>.json}
 * files. {@link #load(Optional)} combines the two, the folder winning on a name clash so a user can
 * retune a built-in profile without rebuilding Kiln.
 */
public final class DeviceProfiles {
  private final TreeMap<String, DeviceProfile> byName;
  private final Map<String, String> sourceByName;

  private DeviceProfiles(TreeMap<String, DeviceProfile> byName, Map<String, String> sources) {
    this.byName = byName;
    this.sourceByName = sources;
  }

  /** The profiles shipped on the classpath of this class's loader. */
  public static DeviceProfiles fromClasspath() {
    ClassLoader context = Thread.currentThread().getContextClassLoader();
    return fromClasspath(context != null ? context : DeviceProfiles.class.getClassLoader());
  }

  /**
   * The profiles under {@code kiln/device-profiles/} in every classpath root of {@code loader},
   * from directories and jars alike.
   *
   * @throws ProfileException PROFILES_NOT_FOUND when no root has them, DUPLICATE_PROFILE when two
   *     roots define the same name, or the first loading error
   */
  public static DeviceProfiles fromClasspath(ClassLoader loader) {
    return fromLoaded(ProfileSources.fromClasspath(loader));
  }

  /**
   * The profiles in {@code directory}: every {@code *.json} directly inside it (subfolders such as
   * {@code schema/} are ignored). An empty folder gives an empty set.
   *
   * @throws ProfileException PROFILES_NOT_FOUND when the folder does not exist, or the first
   *     loading error, naming the file and field
   */
  public static DeviceProfiles fromDirectory(Path directory) {
    return fromLoaded(ProfileSources.fromDirectory(directory));
  }

  /**
   * Reads and validates one profile file, as loading its folder would (the file name must match
   * {@code name}); for checking a profile before installing it.
   */
  public static DeviceProfile readFile(Path file) {
    return ProfileSources.readFile(file).profile();
  }

  /**
   * The classpath profiles, overridden and extended by those in {@code userDirectory} if given.
   * This is what the CLI and the agent use.
   */
  public static DeviceProfiles load(Optional<Path> userDirectory) {
    DeviceProfiles builtIn = fromClasspath();
    return userDirectory.map(dir -> builtIn.mergedWith(fromDirectory(dir))).orElse(builtIn);
  }

  /** Profiles built in code, e.g. by tests; they are validated like files. */
  public static DeviceProfiles of(Collection<DeviceProfile> profiles) {
    return fromLoaded(
        profiles.stream()
            .map(
                p -> {
                  String source = "profile " + p.name() + " (in memory)";
                  return new ProfileSources.Loaded(
                      ProfileValidator.validate(p, source, null), source);
                })
            .toList());
  }

  /** This set plus {@code overrides}; a profile in {@code overrides} replaces one of its name. */
  public DeviceProfiles mergedWith(DeviceProfiles overrides) {
    TreeMap<String, DeviceProfile> merged = new TreeMap<>(byName);
    Map<String, String> sources = new LinkedHashMap<>(sourceByName);
    merged.putAll(overrides.byName);
    sources.putAll(overrides.sourceByName);
    return new DeviceProfiles(merged, sources);
  }

  /** Every profile, sorted by name. */
  public List<DeviceProfile> all() {
    return List.copyOf(byName.values());
  }

  /** Every profile name, sorted. */
  public List<String> names() {
    return List.copyOf(byName.keySet());
  }

  public Optional<DeviceProfile> find(String name) {
    return Optional.ofNullable(name == null ? null : byName.get(name));
  }

  /**
   * The profile called {@code name}.
   *
   * @throws ProfileException UNKNOWN_DEVICE, listing the valid names
   */
  public DeviceProfile get(String name) {
    return find(name)
        .orElseThrow(
            () ->
                new ProfileException(
                    ProfileErrorCode.UNKNOWN_DEVICE,
                    "unknown device '" + name + "'; valid devices: " + validNames()));
  }

  /**
   * The generic profile for a compile target: arm64 → linux-arm64, x86_64 → linux-x86_64, nvidia →
   * nvidia-gpu.
   *
   * @throws ProfileException UNKNOWN_TARGET listing the valid targets, or UNKNOWN_DEVICE when this
   *     set lacks the target's profile
   */
  public DeviceProfile forTarget(String target) {
    return get(Target.parse(target).profileName());
  }

  /** The generic CPU profile of {@code arch}: what a device with no configured profile uses. */
  public DeviceProfile forArch(Arch arch) {
    return get(Target.cpuTarget(arch).profileName());
  }

  /** Where the profile was read from (file path or jar URL), for messages and `kiln devices`. */
  public Optional<String> sourceOf(String name) {
    return Optional.ofNullable(sourceByName.get(name));
  }

  private String validNames() {
    return byName.isEmpty() ? "(none loaded)" : String.join(", ", byName.keySet());
  }

  private static DeviceProfiles fromLoaded(List<ProfileSources.Loaded> loaded) {
    TreeMap<String, DeviceProfile> byName = new TreeMap<>();
    Map<String, String> sources = new LinkedHashMap<>();
    for (ProfileSources.Loaded entry : loaded) {
      String name = entry.profile().name();
      String earlier = sources.putIfAbsent(name, entry.source());
      if (earlier != null) {
        throw new ProfileException(
            ProfileErrorCode.DUPLICATE_PROFILE,
            entry.source(),
            "name",
            "device profile '"
                + name
                + "' is defined twice: in "
                + earlier
                + " and in "
                + entry.source()
                + ". Remove one copy (or rename it).",
            null);
      }
      byName.put(name, entry.profile());
    }
    return new DeviceProfiles(byName, Collections.unmodifiableMap(sources));
  }

  @Override
  public String toString() {
    return "DeviceProfiles" + byName.keySet();
  }
}
