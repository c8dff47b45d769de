package dev.kiln.compiler.ort;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model loaded in ONNX Runtime on the host CPU, seen only through host tensors: lets code outside
 * {@code ort/} (the accuracy gate, the sensitivity pass) run models without knowing ORT's types.
 * Failures surface as {@link IllegalStateException} carrying ORT's message.
 */
public final class HostModel implements AutoCloseable {
  private final OrtSession session;

  private HostModel(OrtSession session) {
    this.session = session;
  }

  /**
   * @param optimized let ORT apply all its load-time optimizations (how a device runs a model that
   *     was not optimized offline, e.g. a QDQ model it fuses itself); false runs it as written
   */
  public static HostModel load(Path model, boolean optimized, int threads) {
    return load(model, optimized, false, threads);
  }

  /**
   * Loaded with all optimizations and int8 products computed exactly on an x86 CPU without VNNI
   * ({@link OrtSessions#openExactInt8}), as a VNNI or arm64 device computes full-range int8
   * weights.
   */
  public static HostModel loadExactInt8(Path model, int threads) {
    return load(model, true, true, threads);
  }

  /**
   * As {@link #load(Path, boolean, int)}, or as {@link #loadExactInt8} when {@code exactInt8}:
   * ORT's exact int8 products come from one of its optimizer passes, so they always load with all
   * optimizations, whatever {@code optimized} says.
   */
  public static HostModel load(Path model, boolean optimized, boolean exactInt8, int threads) {
    try {
      return new HostModel(
          exactInt8
              ? OrtSessions.openExactInt8(model, OptLevel.ALL_OPT, threads)
              : OrtSessions.open(model, optimized ? OptLevel.ALL_OPT : OptLevel.NO_OPT, threads));
    } catch (OrtException e) {
      throw new IllegalStateException(
          "ONNX Runtime cannot load " + model + ": " + e.getMessage(), e);
    }
  }

  public Map<String, HostTensor> run(Map<String, HostTensor> inputs) {
    try {
      return OrtSessions.run(session, inputs);
    } catch (OrtException e) {
      throw new IllegalStateException("ONNX Runtime failed to run the model: " + e.getMessage(), e);
    }
  }

  public List<Map<String, HostTensor>> runAll(List<Map<String, HostTensor>> samples) {
    List<Map<String, HostTensor>> out = new ArrayList<>();
    for (Map<String, HostTensor> s : samples) {
      out.add(run(s));
    }
    return out;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new IllegalStateException(e);
    }
  }
}
