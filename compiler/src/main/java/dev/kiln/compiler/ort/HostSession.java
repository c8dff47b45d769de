package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An ONNX Runtime session on the host CPU for the compile stages (verify, benchmark, signature),
 * seen only through Kiln's types; every ORT failure comes out as {@link OrtFailure}.
 *
 * <p>An ORT-format payload ({@code .ort}) is opened as the agent opens it: memory-mapped and used
 * in place by ONNX Runtime, so verification and the benchmark run the shipped bytes the way the
 * device will. The session holds the mapping until it is closed (unmapped earlier, ONNX Runtime
 * would read freed memory).
 */
public final class HostSession implements AutoCloseable {
  private final OrtSession session;
  private final ByteBuffer mapping;

  private HostSession(OrtSession session, ByteBuffer mapping) {
    this.session = session;
    this.mapping = mapping;
  }

  public static HostSession open(Path model, LoadLevel level, int threads) throws OrtFailure {
    return open(model, level, threads, true);
  }

  /**
   * A session to time against another in the same process; see {@link OrtSessions#openNonSpinning}.
   */
  public static HostSession openForTiming(Path model, LoadLevel level, int threads)
      throws OrtFailure {
    return open(model, level, threads, false);
  }

  private static HostSession open(Path model, LoadLevel level, int threads, boolean spinning)
      throws OrtFailure {
    try {
      if (OrtFormat.is(model)) {
        MappedByteBuffer mapping = OrtFormat.map(model);
        return new HostSession(
            OrtSessions.openInPlace(mapping, level.ortLevel(), threads, spinning), mapping);
      }
      return new HostSession(
          spinning
              ? OrtSessions.open(model, level.ortLevel(), threads)
              : OrtSessions.openNonSpinning(model, level.ortLevel(), threads),
          null);
    } catch (OrtException e) {
      throw new OrtFailure(e);
    }
  }

  public static HostSession open(byte[] model, LoadLevel level, int threads) throws OrtFailure {
    try {
      return new HostSession(OrtSessions.open(model, level.ortLevel(), threads), null);
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
    } finally {
      Reference.reachabilityFence(mapping);
    }
  }

  private static Map<String, IoTensor> specs(Map<String, TensorInfo> infos) {
    Map<String, IoTensor> out = new LinkedHashMap<>();
    infos.forEach(
        (name, info) -> out.put(name, new IoTensor(NumpyNames.of(info.type), info.getShape())));
    return out;
  }
}
