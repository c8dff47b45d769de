package dev.kiln.compiler.pipeline;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import java.util.Locale;

/** What {@code --quantize} asks for. */
public enum QuantizeMode {
  NONE,
  INT8,
  FP16;

  /** Parses "int8", "fp16" or "none", naming the allowed values when the text is none of them. */
  public static QuantizeMode parse(String text) {
    try {
      return valueOf(text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT, "--quantize must be int8, fp16 or none, got '" + text + "'");
    }
  }

  public String flag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
