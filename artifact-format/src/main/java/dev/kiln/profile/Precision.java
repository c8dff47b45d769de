package dev.kiln.profile;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The numeric precision the compiler targets by default for a profile. */
public enum Precision {
  FP32("fp32"),
  FP16("fp16"),
  INT8("int8");

  private final String jsonName;

  Precision(String jsonName) {
    this.jsonName = jsonName;
  }

  @JsonValue
  public String jsonName() {
    return jsonName;
  }

  @JsonCreator
  public static Precision parse(String value) {
    for (Precision precision : values()) {
      if (precision.jsonName.equals(value)) {
        return precision;
      }
    }
    throw new IllegalArgumentException(
        "unknown precision '"
            + value
            + "'; valid values: "
            + Arrays.stream(values()).map(p -> p.jsonName).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return jsonName;
  }
}
