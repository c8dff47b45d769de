package dev.kiln.compiler.calibration;

import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;

/** The one shape of a calibration-data error: which file, what is wrong, what to do (exit 2). */
final class Refusal {
  private Refusal() {}

  static CompileException of(Object where, String problem, String fix) {
    return new CompileException(CompileErrorCode.BAD_INPUT, message(where, problem, fix));
  }

  static CompileException of(Object where, String problem, String fix, Throwable cause) {
    return new CompileException(CompileErrorCode.BAD_INPUT, message(where, problem, fix), cause);
  }

  private static String message(Object where, String problem, String fix) {
    return "calibration data "
        + where
        + " cannot be used: "
        + problem
        + ". "
        + fix
        + (fix.endsWith(".") ? "" : ".")
        + " Formats: docs/compiler.md#calibration-data";
  }
}
