package dev.kiln.agent.config;

import java.util.List;

/** The rules a pipeline spec must follow, shared by the config file and {@code PUT /pipelines}. */
public final class PipelineValidator {
  public static final int MIN_STEPS = 2;
  public static final int MAX_STEPS = 5;

  private PipelineValidator() {}

  public static AgentConfig.PipelineSpec validated(AgentConfig.PipelineSpec spec) {
    String key = "pipelines." + spec.name();
    if (!spec.name().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}")) {
      throw new ConfigException(
          key, "name must be 1-64 letters, digits, '.', '_' or '-', starting alphanumeric");
    }
    List<String> steps = spec.steps();
    if (steps == null || steps.size() < MIN_STEPS || steps.size() > MAX_STEPS) {
      throw new ConfigException(
          key + ".steps",
          "a pipeline chains "
              + MIN_STEPS
              + " to "
              + MAX_STEPS
              + " model names, got "
              + (steps == null ? 0 : steps.size()));
    }
    if (steps.contains(spec.name())) {
      throw new ConfigException(key + ".steps", "a pipeline cannot contain itself");
    }
    return new AgentConfig.PipelineSpec(spec.name(), List.copyOf(steps));
  }
}
