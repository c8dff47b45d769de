package dev.kiln.agent.http.oip;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.DType;
import java.util.Set;

/**
 * The protocol's datatype names for the element types the agent serves. The protocol names more
 * (BOOL, the unsigned and narrow integers, FP16, FP64, BYTES); the engine seam takes float32 and
 * int64 only, so those are refused by name rather than converted behind the client's back.
 */
public final class OipDatatype {
  static final Set<String> PROTOCOL_NAMES =
      Set.of(
          "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64", "FP16",
          "FP32", "FP64", "BF16", "BYTES");

  private OipDatatype() {}

  /** The protocol name of a manifest dtype ({@code float32} -> {@code FP32}). */
  public static String of(String numpyName) {
    return switch (numpyName) {
      case "float32" -> "FP32";
      case "float64" -> "FP64";
      case "float16" -> "FP16";
      case "int64" -> "INT64";
      case "int32" -> "INT32";
      case "int16" -> "INT16";
      case "int8" -> "INT8";
      case "uint8" -> "UINT8";
      case "uint16" -> "UINT16";
      case "uint32" -> "UINT32";
      case "uint64" -> "UINT64";
      case "bool" -> "BOOL";
      default -> "BYTES";
    };
  }

  public static String of(DType dtype) {
    return of(dtype.numpyName());
  }

  /**
   * The agent's dtype for an input declared {@code expected} (a manifest dtype) that a client sent
   * as {@code sent}.
   *
   * @throws AgentException INVALID_INPUT naming the input, what was sent and what it takes
   */
  static DType forInput(String input, String sent, String expected) {
    String want = of(expected);
    if (!PROTOCOL_NAMES.contains(sent)) {
      throw InferRequest.bad(
          "input '"
              + input
              + "' has datatype '"
              + sent
              + "', which the Open Inference Protocol does not define; this input takes "
              + want);
    }
    if (!sent.equals(want)) {
      throw InferRequest.bad(
          "input '" + input + "' has datatype " + sent + "; this model's input takes " + want);
    }
    if (!want.equals("FP32") && !want.equals("INT64")) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          "input '"
              + input
              + "' is "
              + want
              + ", which the agent cannot serve; it serves FP32 and INT64 tensors");
    }
    return DType.fromNumpy(expected);
  }
}
