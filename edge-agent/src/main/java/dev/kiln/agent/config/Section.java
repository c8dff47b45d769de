package dev.kiln.agent.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** One JSON object of the config: typed reads with defaults and ranges, keys named in errors. */
record Section(String prefix, JsonNode node, Path baseDir, Set<String> allowed) {

  Section(String prefix, JsonNode node, Path baseDir, String... allowed) {
    this(prefix, node, baseDir, Set.of(allowed));
    if (!node.isObject()) {
      throw new ConfigException(prefix.isEmpty() ? "(root)" : prefix, "must be a JSON object");
    }
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String key = it.next();
      if (!allowed().contains(key)) {
        throw new ConfigException(
            key(key), "unknown key; allowed keys here: " + String.join(", ", sorted(allowed)));
      }
    }
  }

  private static List<String> sorted(String[] keys) {
    List<String> list = new ArrayList<>(List.of(keys));
    list.sort(null);
    return list;
  }

  String key(String name) {
    return prefix.isEmpty() ? name : prefix + "." + name;
  }

  Section child(String name, String... allowedKeys) {
    JsonNode child = node.get(name);
    if (child == null || child.isNull()) {
      child = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
    }
    return new Section(key(name), child, baseDir, allowedKeys);
  }

  String text(String name, String fallback) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isTextual() || v.asText().isBlank()) {
      throw new ConfigException(key(name), "must be a non-empty string, got " + v);
    }
    return v.asText();
  }

  Path path(String name, Path fallback) {
    String text = text(name, null);
    if (text == null) {
      return fallback;
    }
    Path p = Path.of(text);
    return p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize();
  }

  List<Path> paths(String name) {
    List<Path> out = new ArrayList<>();
    for (String s : strings(name)) {
      Path p = Path.of(s);
      out.add(p.isAbsolute() || baseDir == null ? p : baseDir.resolve(p).normalize());
    }
    return out;
  }

  List<String> strings(String name) {
    JsonNode v = node.get(name);
    List<String> out = new ArrayList<>();
    if (v == null || v.isNull()) {
      return out;
    }
    if (!v.isArray()) {
      throw new ConfigException(key(name), "must be an array of strings, got " + v);
    }
    for (JsonNode e : v) {
      if (!e.isTextual()) {
        throw new ConfigException(key(name), "must be an array of strings, got element " + e);
      }
      out.add(e.asText());
    }
    return out;
  }

  boolean bool(String name, boolean fallback) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new ConfigException(key(name), "must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  int integer(String name, int fallback, int min, int max) {
    return (int) longValue(name, fallback, min, max);
  }

  long longValue(String name, long fallback, long min, long max) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || v.asLong() < min || v.asLong() > max) {
      throw new ConfigException(
          key(name), "must be an integer from " + min + " to " + max + ", got " + v);
    }
    return v.asLong();
  }

  double decimal(String name, double fallback, double min, double max) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
      throw new ConfigException(
          key(name), "must be a number from " + min + " to " + max + ", got " + v);
    }
    return v.asDouble();
  }

  List<AgentConfig.PipelineSpec> pipelines(String name) {
    return ConfigLoader.readPipelines(this, name);
  }
}
