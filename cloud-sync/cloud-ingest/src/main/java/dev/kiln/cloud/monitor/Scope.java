package dev.kiln.cloud.monitor;

/** What one window groups: the whole fleet, one model version, or one device (and version). */
public enum Scope {
  FLEET,
  VERSION,
  DEVICE;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
