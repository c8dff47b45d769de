package dev.kiln.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The engine a profile prefers when a model could run on either. */
public enum InferenceEngine {
  ONNXRUNTIME("onnxruntime"),
  PYTORCH("pytorch");

  private final String jsonName;

  InferenceEngine(String jsonName) {
    this.jsonName = jsonName;
  }

  @JsonValue
  public String jsonName() {
    return jsonName;
  }

  @JsonCreator
  public static InferenceEngine parse(String value) {
    for (InferenceEngine engine : values()) {
      if (engine.jsonName.equals(value)) {
        return engine;
      }
    }
    throw new IllegalArgumentException(
        "unknown engine '"
            + value
            + "'; valid values: "
            + Arrays.stream(values()).map(e -> e.jsonName).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return jsonName;
  }
}
