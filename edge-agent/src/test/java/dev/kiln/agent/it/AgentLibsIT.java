package dev.kiln.agent.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The agent's runtime libraries as the build leaves them in {@code target/lib}, where the launchers
 * and {@code kiln agent bundle} take them from. None may be signed: the JVM checks a signed jar's
 * certificate and digests as it loads the first class from it, and class-data sharing never
 * archives its classes (edge-agent/pom.xml, execution {@code unsign-runtime-libs}).
 */
class AgentLibsIT {
  private static final Pattern SIGNATURE_FILE =
      Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)", Pattern.CASE_INSENSITIVE);

  private static final Path LIB = Path.of("target", "lib");

  @Test
  void noRuntimeLibraryCarriesASignature() throws Exception {
    List<String> signed = new ArrayList<>();
    for (Path jar : jars()) {
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        zip.stream()
            .map(e -> e.getName())
            .filter(name -> SIGNATURE_FILE.matcher(name).matches())
            .forEach(name -> signed.add(jar.getFileName() + "!" + name));
      }
    }

    assertThat(signed)
        .as(
            "signed jars in target/lib: add them to the unsign-runtime-libs execution in"
                + " edge-agent/pom.xml")
        .isEmpty();
  }

  @Test
  void pahoLoadsFromItsUnsignedCopy_withItsClassesAndNoSigners() throws Exception {
    Path paho =
        jars().stream()
            .filter(j -> j.getFileName().toString().startsWith("org.eclipse.paho.mqttv5.client-"))
            .findFirst()
            .orElseThrow();

    try (URLClassLoader loader =
        new URLClassLoader(
            new URL[] {paho.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      Class<?> client = loader.loadClass("org.eclipse.paho.mqttv5.client.MqttAsyncClient");

      assertThat(client.getProtectionDomain().getCodeSource().getLocation())
          .isEqualTo(paho.toUri().toURL());
      assertThat(client.getProtectionDomain().getCodeSource().getCodeSigners()).isNull();
    }
  }

  private static List<Path> jars() throws Exception {
    try (Stream<Path> files = Files.list(LIB)) {
      List<Path> jars = files.filter(f -> f.toString().endsWith(".jar")).sorted().toList();
      assertThat(jars).as("run after package: no jars in %s", LIB).isNotEmpty();
      return jars;
    }
  }
}
