package dev.kiln.compiler.pipeline;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The Kiln version, filtered into a resource at build time. */
public final class KilnVersion {
  private KilnVersion() {}

  public static String get() {
    try (InputStream in = KilnVersion.class.getResourceAsStream("/kiln/version.properties")) {
      Properties props = new Properties();
      if (in != null) {
        props.load(in);
      }
      return props.getProperty("version", "dev");
    } catch (IOException e) {
      return "dev";
    }
  }
}
