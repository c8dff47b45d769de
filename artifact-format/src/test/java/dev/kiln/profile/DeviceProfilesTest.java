package dev.kiln.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class DeviceProfilesTest {
  private static final List<String> SHIPPED_NAMES = ProfileFixtures.shipped().names();

  private final DeviceProfiles profiles = ProfileFixtures.shipped();

  @Test
  void get_fails_listingValidNames_whenDeviceUnknown() {
    ProfileException e = catchThrowableOfType(() -> profiles.get("rpi9"), ProfileException.class);

    assertThat(e.code()).isEqualTo(ProfileErrorCode.UNKNOWN_DEVICE);
    assertThat(e.getMessage())
        .isEqualTo(
            "unknown device 'rpi9'; valid devices: graviton3, jetson-orin-nano, linux-arm64,"
                + " linux-x86_64, nvidia-gpu, rpi4, rpi5, x86-64-v3, x86-64-v4");
  }

  @Test
  void forTarget_mapsEachTargetToItsGenericProfile() {
    assertThat(profiles.forTarget("arm64").name()).isEqualTo("linux-arm64");
    assertThat(profiles.forTarget("x86_64").name()).isEqualTo("linux-x86_64");
    assertThat(profiles.forTarget("nvidia").name()).isEqualTo("nvidia-gpu");
    assertThat(profiles.forTarget("aarch64").name()).isEqualTo("linux-arm64");
    assertThat(profiles.forTarget("AMD64").name()).isEqualTo("linux-x86_64");
    assertThat(profiles.forArch(Arch.ARM64).name()).isEqualTo("linux-arm64");
    assertThat(profiles.forArch(Arch.X86_64).name()).isEqualTo("linux-x86_64");
  }

  @Test
  void forTarget_fails_listingValidTargets_whenTargetUnknown() {
    ProfileException e =
        catchThrowableOfType(() -> profiles.forTarget("riscv64"), ProfileException.class);

    assertThat(e.code()).isEqualTo(ProfileErrorCode.UNKNOWN_TARGET);
    assertThat(e.getMessage())
        .isEqualTo("unknown target 'riscv64'; valid targets: arm64, x86_64, nvidia");
  }

  @Test
  void all_isSortedByName() {
    assertThat(profiles.all()).extracting(DeviceProfile::name).isSorted().hasSize(9);
  }

  @Test
  void fromDirectory_fails_whenDirectoryMissing() {
    Path missing = ProfileFixtures.newTempDir("no-profiles").resolve("absent");

    assertThatThrownBy(() -> DeviceProfiles.fromDirectory(missing))
        .isInstanceOfSatisfying(
            ProfileException.class,
            e -> assertThat(e.code()).isEqualTo(ProfileErrorCode.PROFILES_NOT_FOUND))
        .hasMessageContaining(missing.toString());
  }

  @Test
  void fromDirectory_ignoresNonJsonAndHiddenFiles() {
    Path dir = ProfileFixtures.newTempDir("mixed");
    ProfileFixtures.write(dir, "rpi4.json", ProfileFixtures.shippedJson("rpi4"));
    ProfileFixtures.write(dir, "README.md", "# my boards\n");
    ProfileFixtures.write(dir, ".rpi4.json", "{ half-saved editor swap");

    DeviceProfiles loaded = DeviceProfiles.fromDirectory(dir);

    assertThat(loaded.names()).containsExactly("rpi4");
    assertThat(catchThrowableOfType(() -> loaded.get("rpi5"), ProfileException.class))
        .hasMessage("unknown device 'rpi5'; valid devices: rpi4");
  }

  @Test
  void readFile_checksOneProfileLikeADirectoryLoad() {
    Path dir = ProfileFixtures.newTempDir("single");
    Path good = ProfileFixtures.write(dir, "rpi5.json", ProfileFixtures.shippedJson("rpi5"));
    Path misnamed = ProfileFixtures.write(dir, "pi.json", ProfileFixtures.shippedJson("rpi5"));

    assertThat(DeviceProfiles.readFile(good)).isEqualTo(profiles.get("rpi5"));
    assertThatThrownBy(() -> DeviceProfiles.readFile(misnamed))
        .isInstanceOfSatisfying(
            ProfileException.class,
            e -> assertThat(e.code()).isEqualTo(ProfileErrorCode.NAME_MISMATCH));
  }

  @Test
  void mergedWith_letsUserProfilesReplaceAndExtendBuiltIns() {
    Path userDir = ProfileFixtures.newTempDir("user-profiles");
    ObjectNode slowPi = ProfileFixtures.shippedJson("rpi4");
    ((ObjectNode) slowPi.get("runtime")).put("threads", 2);
    Path slowPiFile = ProfileFixtures.write(userDir, "rpi4.json", slowPi);
    ObjectNode board = ProfileFixtures.shippedJson("rpi5");
    board.put("name", "my-board");
    ProfileFixtures.write(userDir, "my-board.json", board);

    DeviceProfiles merged = profiles.mergedWith(DeviceProfiles.fromDirectory(userDir));

    assertThat(merged.names()).hasSize(10).contains("my-board");
    assertThat(merged.get("rpi4").runtime().threads()).isEqualTo(2);
    assertThat(merged.sourceOf("rpi4")).contains(slowPiFile.toString());
    assertThat(merged.get("rpi5")).isEqualTo(profiles.get("rpi5"));
    assertThat(profiles.get("rpi4").runtime().threads()).isEqualTo(4);
  }

  @Test
  void fromClasspath_readsProfilesInsideAJar() throws IOException {
    Path jar = ProfileFixtures.newTempDir("profiles-jar").resolve("kiln-device-profiles.jar");
    writeProfilesJar(jar);

    try (URLClassLoader loader = isolatedLoader(jar)) {
      DeviceProfiles fromJar = DeviceProfiles.fromClasspath(loader);

      assertThat(fromJar.names()).isEqualTo(SHIPPED_NAMES);
      assertThat(fromJar.get("jetson-orin-nano")).isEqualTo(profiles.get("jetson-orin-nano"));
      assertThat(fromJar.sourceOf("rpi4").orElseThrow())
          .startsWith("jar:file:")
          .endsWith("kiln-device-profiles.jar!/kiln/device-profiles/rpi4.json");
    }
  }

  @Test
  void fromClasspath_readsProfilesInAClassesDirectory() throws IOException {
    Path classes = ProfileFixtures.newTempDir("profiles-classes");
    copyShippedTo(classes.resolve(ProfileSources.CLASSPATH_ROOT));

    try (URLClassLoader loader = isolatedLoader(classes)) {
      assertThat(DeviceProfiles.fromClasspath(loader).names()).isEqualTo(SHIPPED_NAMES);
    }
  }

  @Test
  void fromClasspath_fails_whenProfilesJarIsMissing() throws IOException {
    Path empty = ProfileFixtures.newTempDir("empty-classpath");

    try (URLClassLoader loader = isolatedLoader(empty)) {
      ProfileException e =
          catchThrowableOfType(() -> DeviceProfiles.fromClasspath(loader), ProfileException.class);

      assertThat(e.code()).isEqualTo(ProfileErrorCode.PROFILES_NOT_FOUND);
      assertThat(e.getMessage()).contains("dev.kiln:kiln-device-profiles");
    }
  }

  @Test
  void fromClasspath_fails_whenTwoRootsDefineTheSameProfile() throws IOException {
    Path jar = ProfileFixtures.newTempDir("dup-jar").resolve("profiles.jar");
    writeProfilesJar(jar);
    Path classes = ProfileFixtures.newTempDir("dup-classes");
    copyShippedTo(classes.resolve(ProfileSources.CLASSPATH_ROOT));

    try (URLClassLoader loader = isolatedLoader(classes, jar)) {
      ProfileException e =
          catchThrowableOfType(() -> DeviceProfiles.fromClasspath(loader), ProfileException.class);

      assertThat(e.code()).isEqualTo(ProfileErrorCode.DUPLICATE_PROFILE);
      assertThat(e.getMessage())
          .contains("device profile 'graviton3' is defined twice")
          .contains(classes.toString())
          .contains("profiles.jar");
    }
  }

  /** Lays the profiles out as the kiln-device-profiles jar does. */
  private static void writeProfilesJar(Path jar) throws IOException {
    Path shipped = ProfileFixtures.shippedDir();
    try (OutputStream file = Files.newOutputStream(jar);
        JarOutputStream out = new JarOutputStream(file)) {
      out.putNextEntry(new JarEntry(ProfileSources.CLASSPATH_ROOT));
      for (Path profile : shippedProfileFiles()) {
        out.putNextEntry(
            new JarEntry(ProfileSources.CLASSPATH_ROOT + profile.getFileName().toString()));
        out.write(Files.readAllBytes(profile));
      }
      out.putNextEntry(new JarEntry(ProfileSources.CLASSPATH_ROOT + "schema/"));
      out.putNextEntry(new JarEntry(ProfileSources.CLASSPATH_SCHEMA));
      out.write(Files.readAllBytes(shipped.resolve("schema/device-profile.schema.json")));
    }
  }

  private static void copyShippedTo(Path root) throws IOException {
    Files.createDirectories(root.resolve("schema"));
    for (Path profile : shippedProfileFiles()) {
      Files.copy(profile, root.resolve(profile.getFileName().toString()));
    }
    Files.copy(
        ProfileFixtures.shippedDir().resolve("schema/device-profile.schema.json"),
        root.resolve("schema/device-profile.schema.json"));
  }

  private static List<Path> shippedProfileFiles() throws IOException {
    try (Stream<Path> files = Files.list(ProfileFixtures.shippedDir())) {
      return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
    }
  }

  /** No parent loader, so the test's own classpath cannot leak profiles in. */
  private static URLClassLoader isolatedLoader(Path... roots) throws IOException {
    URL[] urls = new URL[roots.length];
    for (int i = 0; i < roots.length; i++) {
      urls[i] = roots[i].toUri().toURL();
    }
    return new URLClassLoader(urls, null);
  }
}
