package dev.kiln.agent.runtime;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;

/** The element types the agent accepts on the wire; named as numpy names them in manifests. */
public enum DType {
  FLOAT32("float32", 4),
  INT64("int64", 8);

  private final String numpyName;
  private final int bytes;

  DType(String numpyName, int bytes) {
    this.numpyName = numpyName;
    this.bytes = bytes;
  }

  public String numpyName() {
    return numpyName;
  }

  public int bytes() {
    return bytes;
  }

  public static DType fromNumpy(String name) {
    for (DType t : values()) {
      if (t.numpyName.equals(name)) {
        return t;
      }
    }
    throw new AgentException(
        AgentErrorCode.INVALID_INPUT,
        "dtype '" + name + "' is not supported; the agent serves float32 and int64 tensors");
  }
}
