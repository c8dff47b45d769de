package dev.kiln.compiler.ir;

import dev.kiln.error.ErrorCode;
import dev.kiln.error.ExitCode;

/**
 * Why a model was refused while reading, checking or specializing it. A compile turns these into
 * {@code CompileErrorCode}s ({@code OnnxFrontEnd}); {@link #exit()} serves code that reports an IR
 * error as it is.
 */
public enum IrErrorCode implements ErrorCode {
  /** The model path does not exist or is not a regular file. */
  NOT_FOUND,
  /** The file is empty, text, or some other format than an ONNX protobuf. */
  NOT_ONNX,
  /** The protobuf ends in the middle of a field: a partial copy or download. */
  TRUNCATED,
  /** The model has no graph, or a graph with neither nodes nor outputs. */
  EMPTY_GRAPH,
  /** The model is too large for a single protobuf (2 GiB); it needs external data. */
  TOO_LARGE,
  /** An opset version outside what the target runtime implements. */
  UNSUPPORTED_OPSET,
  /** An operator domain the target runtime does not know. */
  UNSUPPORTED_DOMAIN,
  /** An operator the target runtime does not implement. */
  UNSUPPORTED_OP,
  /** A requested input shape does not fit the model's declared input. */
  BAD_INPUT_SHAPE,
  /** The textual shape specification (e.g. {@code input:1x3x224x224}) is malformed. */
  BAD_SHAPE_SPEC,
  /** A tensor's data type or storage cannot be converted by Kiln. */
  UNSUPPORTED_TENSOR,
  /** Reading or writing the file failed at the operating-system level. */
  IO_ERROR;

  @Override
  public ExitCode exit() {
    return switch (this) {
      case UNSUPPORTED_OPSET, UNSUPPORTED_DOMAIN, UNSUPPORTED_OP, TOO_LARGE ->
          ExitCode.UNSUPPORTED_MODEL;
      case IO_ERROR -> ExitCode.IO_ERROR;
      default -> ExitCode.USAGE;
    };
  }

  /** Only an I/O failure may pass on a retry; the rest are about the model file. */
  @Override
  public boolean retryable() {
    return this == IO_ERROR;
  }
}
