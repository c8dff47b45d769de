package dev.kiln.agent.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UnitTemplateTest {
  private final UnitTemplate template = UnitTemplate.fromClasspath();

  private Map<String, String> values() {
    return new UnitSettings(
            Path.of("/usr/bin/java"),
            Path.of("/opt/kiln"),
            "kiln",
            Path.of("/var/lib/kiln"),
            Path.of("/etc/kiln/agent.json"))
        .templateValues();
  }

  @Test
  void template_carriesItsVersion() {
    assertThat(template.version()).isEqualTo(3);
  }

  @Test
  void render_fillsEveryPlaceholder() {
    String unit = template.render(values());

    assertThat(unit).doesNotContain("${");
    assertThat(unit)
        .contains("User=kiln")
        .contains("NoNewPrivileges=yes")
        .contains("ProtectSystem=strict")
        .contains("ProtectHome=yes")
        .contains("PrivateTmp=yes")
        .contains("Restart=on-failure")
        .contains("After=network-online.target")
        .contains("ReadWritePaths=/var/lib/kiln")
        .contains("Environment=OPT_OUT_TRACKING=true")
        .contains("Environment=DJL_CACHE_DIR=/var/lib/kiln/djl");
  }

  @Test
  void render_fails_whenPlaceholderHasNoValue() {
    Map<String, String> values = new HashMap<>(values());
    values.remove("java");

    assertThatThrownBy(() -> template.render(values))
        .isInstanceOf(ServiceException.class)
        .hasMessageContaining("${java}");
  }

  @Test
  void render_neverGrantsMemoryDenyWriteExecute_becauseTheJitNeedsIt() {
    assertThat(template.render(values())).doesNotContainPattern("(?m)^MemoryDenyWriteExecute=");
  }
}
