package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX Runtime session on the host CPU for the compile stages (verify, benchmark, signature),
 * seen only through Kiln's types; every ORT failure comes out as {@link OrtFailure}.
 */
public final class HostSession implements AutoCloseable {
  private final OrtSession session;

  private HostSession(OrtSession session) {
    this.session = session;
  }

  public static HostSession open(Path model, LoadLevel level, int threads) throws OrtFailure {
    try {
      return new HostSession(OrtSessions.open(model, level.ortLevel(), threads));
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  /**
   * A session to time against another in the same process; see {@link OrtSessions#openNonSpinning}.
   */
  public static HostSession openForTiming(Path model, LoadLevel level, int threads)
      throws OrtFailure {
    try {
      return new HostSession(OrtSessions.openNonSpinning(model, level.ortLevel(), threads));
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  public static HostSession open(byte[] model, LoadLevel level, int threads) throws OrtFailure {
    try {
      return new HostSession(OrtSessions.open(model, level.ortLevel(), threads));
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  /** Inputs in model order. */
  public Map<String, IoTensor> inputs() throws OrtFailure {
    try {
      return specs(OrtSessions.inputs(session));
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  /** Outputs in model order. */
  public Map<String, IoTensor> outputs() throws OrtFailure {
    try {
      return specs(OrtSessions.outputs(session));
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  public Map<String, HostTensor> run(Map<String, HostTensor> inputs) throws OrtFailure {
    try {
      return OrtSessions.run(session, inputs);
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  @Override
  public void close() throws OrtFailure {
    try {
      session.close();
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  private static Map<String, IoTensor> specs(Map<String, TensorInfo> infos) {
    Map<String, IoTensor> out = new LinkedHashMap<>();
    infos.forEach(
        (name, info) -> out.put(name, new IoTensor(NumpyNames.of(info.type), info.getShape())));
    return out;
  }
}
