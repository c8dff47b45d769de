package dev.kiln.agent.service;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The systemd unit, kept as a versioned template in the jar so the unit we ship is the unit we
 * test. Placeholders are {@code ${name}}; rendering fails on any placeholder left unfilled, so a
 * renamed key cannot ship as a literal {@code ${...}} in ExecStart.
 */
public final class UnitTemplate {
  public static final String RESOURCE = "kiln/systemd/kiln-agent.service.template";
  public static final String UNIT_NAME = "kiln-agent.service";

  private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Za-z]+)}");
  private static final Pattern VERSION =
      Pattern.compile("(?m)^# kiln-agent unit template v(\\d+)$");

  private final String text;
  private final int version;

  private UnitTemplate(String text) {
    this.text = text;
    Matcher matcher = VERSION.matcher(text);
    if (!matcher.find()) {
      throw new ServiceException(
          ServiceErrorCode.TEMPLATE_INVALID,
          RESOURCE + " lacks its '# kiln-agent unit template vN' line; restore it from git");
    }
    this.version = Integer.parseInt(matcher.group(1));
  }

  public static UnitTemplate fromClasspath() {
    try (InputStream in = UnitTemplate.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new ServiceException(
            ServiceErrorCode.TEMPLATE_INVALID,
            RESOURCE + " is not on the classpath; rebuild edge-agent (mvn -pl edge-agent package)");
      }
      return new UnitTemplate(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ServiceException(ServiceErrorCode.TEMPLATE_INVALID, "cannot read " + RESOURCE, e);
    }
  }

  public int version() {
    return version;
  }

  public String text() {
    return text;
  }

  public String render(Map<String, String> values) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      String value = values.get(matcher.group(1));
      if (value == null) {
        throw new ServiceException(
            ServiceErrorCode.TEMPLATE_INVALID,
            "unit template placeholder ${" + matcher.group(1) + "} has no value");
      }
      matcher.appendReplacement(out, Matcher.quoteReplacement(value));
    }
    matcher.appendTail(out);
    return out.toString();
  }
}
