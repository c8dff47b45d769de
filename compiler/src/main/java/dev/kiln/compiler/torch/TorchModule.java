package dev.kiln.compiler.torch;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.inference.Predictor;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import ai.djl.translate.TranslateException;
import dev.kiln.compiler.api.CompileErrorCode;
import dev.kiln.compiler.api.CompileException;
import dev.kiln.compiler.ort.HostTensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The compiler's only door to libtorch (through DJL's PyTorch engine): a loaded TorchScript module
 * that runs host tensors. libtorch comes from the pytorch-native-cpu jar on the class path and is
 * unpacked into DJL's cache on first use; nothing is downloaded.
 */
final class TorchModule implements AutoCloseable {
  static final String ENGINE = "PyTorch";

  private final ZooModel<NDList, NDList> model;
  private final Predictor<NDList, NDList> predictor;
  private final double loadMillis;

  private TorchModule(ZooModel<NDList, NDList> model, double loadMillis) {
    this.model = model;
    this.predictor = model.newPredictor();
    this.loadMillis = loadMillis;
  }

  /** A forward pass that libtorch refused; {@link #reason} is its last line, the actual error. */
  static final class ForwardFailed extends Exception {
    ForwardFailed(String message, Throwable cause) {
      super(message, cause);
    }

    String reason() {
      // DJL prefixes its wrapper's class name; libtorch's own words are what help.
      return lastLine(getMessage()).replaceFirst("^ai\\.djl\\.[\\w.]+Exception: ", "");
    }
  }

  /** libtorch's version, e.g. "2.7.1"; starts the engine if it is not running yet. */
  static String engineVersion() {
    return engine().getVersion();
  }

  private static Engine engine() {
    // Kiln never downloads engines; the native jar on the class path is the only source.
    if (System.getProperty("ai.djl.offline") == null) {
      System.setProperty("ai.djl.offline", "true");
    }
    // DJL logs its thread and optimizer settings at INFO on every start; they would drown the
    // compile's progress lines in the CLI.
    if (System.getProperty("org.slf4j.simpleLogger.log.ai.djl") == null) {
      System.setProperty("org.slf4j.simpleLogger.log.ai.djl", "error");
    }
    // One inter-op thread, as the agent runs it: more only oversubscribes small CPUs.
    if (System.getProperty("ai.djl.pytorch.num_interop_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
    try {
      return Engine.getEngine(ENGINE);
    } catch (RuntimeException | UnsatisfiedLinkError e) {
      throw new CompileException(
          CompileErrorCode.ENGINE_UNAVAILABLE,
          "libtorch (DJL's PyTorch engine) did not start on this host: "
              + e.getMessage()
              + ". Kiln loads it from the ai.djl.pytorch:pytorch-native-cpu jar for this host's"
              + " arch; check that the jar is on the class path and DJL_CACHE_DIR is writable.",
          e);
    }
  }

  /** Loads a TorchScript file; the message of a failure is libtorch's, with the file named. */
  static TorchModule open(Path file) {
    engine();
    Criteria<NDList, NDList> criteria =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(file)
            .optEngine(ENGINE)
            .optTranslator(new NoopTranslator())
            .build();
    long start = System.nanoTime();
    ZooModel<NDList, NDList> model;
    try {
      model = criteria.loadModel();
    } catch (ModelNotFoundException | MalformedModelException | IOException | RuntimeException e) {
      throw new CompileException(
          CompileErrorCode.BAD_INPUT,
          "libtorch could not load "
              + file
              + " as TorchScript: "
              + lastLine(e.getMessage())
              + ". If the file is a TorchScript archive saved by a newer torch than libtorch "
              + engineVersion()
              + ", re-save it with that version or older; otherwise "
              + TorchScriptArchive.FIX,
          e);
    }
    return new TorchModule(model, (System.nanoTime() - start) / 1e6);
  }

  double loadMillis() {
    return loadMillis;
  }

  /** Runs forward on positional inputs; outputs come back in the order forward returns them. */
  List<HostTensor> run(List<HostTensor> inputs) throws ForwardFailed {
    try (NDManager manager = model.getNDManager().newSubManager()) {
      NDList in = new NDList();
      for (HostTensor t : inputs) {
        Shape shape = new Shape(t.shape());
        in.add(
            t.values() instanceof float[] f
                ? manager.create(f, shape)
                : manager.create((long[]) t.values(), shape));
      }
      NDList out;
      try {
        out = predictor.predict(in);
      } catch (TranslateException | RuntimeException e) {
        throw new ForwardFailed(String.valueOf(e.getMessage()), e);
      }
      // Outputs may belong to another manager; this one frees them when the call ends.
      out.attach(manager);
      List<HostTensor> results = new ArrayList<>();
      for (NDArray array : out) {
        results.add(toHost(array, results.size()));
      }
      return results;
    }
  }

  private static HostTensor toHost(NDArray array, int index) {
    long[] shape = array.getShape().getShape();
    DataType type = array.getDataType();
    if (type == DataType.FLOAT32) {
      return HostTensor.ofFloats(shape, array.toFloatArray());
    }
    if (type == DataType.INT64) {
      return HostTensor.ofLongs(shape, array.toLongArray());
    }
    throw new CompileException(
        CompileErrorCode.UNSUPPORTED_MODEL,
        "output "
            + index
            + " of forward is "
            + type
            + "; Kiln verifies float32 and int64 outputs only. Cast it in forward, e.g."
            + " `return out.float()`, then trace or script again.");
  }

  static String lastLine(String text) {
    if (text == null) {
      return "(no message)";
    }
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  @Override
  public void close() {
    predictor.close();
    model.close();
  }
}
