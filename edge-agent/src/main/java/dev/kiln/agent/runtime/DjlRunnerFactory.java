package dev.kiln.agent.runtime;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDList;
import ai.djl.repository.zoo.Criteria;
import ai.djl.repository.zoo.ModelNotFoundException;
import ai.djl.repository.zoo.ZooModel;
import ai.djl.translate.NoopTranslator;
import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import java.io.IOException;
import java.util.List;

/**
 * Loads payloads with DJL: PyTorch for "torchscript" payloads, which is what the agent uses it for
 * ({@link EngineRunnerFactory}), and ONNX Runtime for "onnx" payloads, kept for benchmarks that
 * compare DJL's per-request cost with the direct runner's ({@link OrtRunnerFactory}). The agent
 * never downloads engines or models: {@code ai.djl.offline} is forced on before any engine starts.
 *
 * <p>{@code ai.djl.onnx.disable_alternative} is turned on as well, unless set explicitly. Without
 * it, DJL's ONNX Runtime engine starts PyTorch as an "alternative engine" for NDArray operations
 * ONNX Runtime lacks, the first time it makes an NDManager: about 100 MB of RSS and most of a
 * second of start time, even when only ONNX models are served. The agent needs none of those
 * operations ({@link DjlModelRunner} only creates arrays, runs the session and reads outputs), and
 * a TorchScript payload still loads PyTorch itself, by name, when it is installed.
 */
public final class DjlRunnerFactory implements RunnerFactory {

  /**
   * @param torchThreads intra-op threads for PyTorch, which reads them once per process
   */
  public DjlRunnerFactory(int torchThreads) {
    System.setProperty("ai.djl.offline", "true");
    if (System.getProperty("ai.djl.onnx.disable_alternative") == null) {
      // An explicit -Dai.djl.onnx.disable_alternative=false still wins (benchmarks measure it).
      System.setProperty("ai.djl.onnx.disable_alternative", "true");
    }
    if (torchThreads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
  }

  @Override
  public ModelRunner load(RunnerSpec spec) {
    return load(criteria(spec), spec);
  }

  /**
   * What DJL is asked to load for {@code spec}: the engine, the device and, for ONNX Runtime, the
   * manifest's session options (see {@link OrtLoadOptions}).
   */
  Criteria<NDList, NDList> criteria(RunnerSpec spec) {
    String engine = engineFor(spec);
    String file = spec.payload().getFileName().toString();
    String name = file.contains(".") ? file.substring(0, file.lastIndexOf('.')) : file;
    Criteria.Builder<NDList, NDList> builder =
        Criteria.builder()
            .setTypes(NDList.class, NDList.class)
            .optModelPath(spec.payload().getParent())
            .optModelName(name)
            .optEngine(engine)
            .optTranslator(new NoopTranslator());
    if (engine.equals("OnnxRuntime")) {
      OrtLoadOptions.of(spec).forEach(builder::optOption);
      // DJL picks ONNX Runtime's provider from the device: CUDA for a GPU device, TensorRT when
      // asked by name; the manifest lists providers in preference order.
      if (wantsProvider(spec, "Tensorrt")) {
        builder.optDevice(Device.gpu()).optOption("ortDevice", "TensorRT");
      } else if (wantsProvider(spec, "CUDA")) {
        builder.optDevice(Device.gpu());
      } else {
        builder.optDevice(Device.cpu());
      }
    } else {
      builder.optDevice(Device.cpu());
    }
    return builder.build();
  }

  /** Loads with criteria made by {@link #criteria}, possibly extended (tests add profiling). */
  ModelRunner load(Criteria<NDList, NDList> criteria, RunnerSpec spec) {
    try {
      ZooModel<NDList, NDList> model = criteria.loadModel();
      return new DjlModelRunner(model, spec);
    } catch (ModelNotFoundException | MalformedModelException | IOException e) {
      throw couldNotLoad(criteria, spec, e);
    } catch (RuntimeException e) {
      throw couldNotLoad(criteria, spec, e);
    }
  }

  private static AgentException couldNotLoad(
      Criteria<NDList, NDList> criteria, RunnerSpec spec, Exception e) {
    return new AgentException(
        AgentErrorCode.ENGINE_ERROR,
        criteria.getEngine() + " could not load " + spec.payload() + ": " + e.getMessage(),
        e);
  }

  private static String engineFor(RunnerSpec spec) {
    return switch (spec.format()) {
      case "onnx" -> "OnnxRuntime";
      case "torchscript" -> "PyTorch";
      default ->
          throw new AgentException(
              AgentErrorCode.ARTIFACT_REJECTED,
              "payload format '"
                  + spec.format()
                  + "' cannot be served through DJL; valid formats: onnx, torchscript ("
                  + EngineRunnerFactory.class.getSimpleName()
                  + " serves ort)");
    };
  }

  private static boolean wantsProvider(RunnerSpec spec, String prefix) {
    List<String> providers = spec.executionProviders();
    return providers != null && !providers.isEmpty() && providers.get(0).startsWith(prefix);
  }
}
