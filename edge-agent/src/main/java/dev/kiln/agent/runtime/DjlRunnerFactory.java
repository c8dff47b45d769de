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
 * Loads payloads with DJL: ONNX Runtime for "onnx" payloads, PyTorch for "torchscript". The agent
 * never downloads engines or models: {@code ai.djl.offline} is forced on before any engine starts.
 */
public final class DjlRunnerFactory implements RunnerFactory {

  /**
   * @param torchThreads intra-op threads for PyTorch, which reads them once per process
   */
  public DjlRunnerFactory(int torchThreads) {
    System.setProperty("ai.djl.offline", "true");
    if (torchThreads > 0) {
      System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(torchThreads));
      System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }
  }

  @Override
  public ModelRunner load(RunnerSpec spec) {
    String engine =
        switch (spec.format()) {
          case "onnx" -> "OnnxRuntime";
          case "torchscript" -> "PyTorch";
          default ->
              throw new AgentException(
                  AgentErrorCode.ARTIFACT_REJECTED,
                  "payload format '"
                      + spec.format()
                      + "' cannot be served by this agent; valid formats: onnx, torchscript."
                      + " Recompile without the ORT-format option");
        };
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
      if (spec.threads() > 0) {
        builder.optOption("intraOpNumThreads", Integer.toString(spec.threads()));
        builder.optOption("interOpNumThreads", "1");
      }
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
    try {
      ZooModel<NDList, NDList> model = builder.build().loadModel();
      return new DjlModelRunner(model, spec);
    } catch (ModelNotFoundException | MalformedModelException | IOException e) {
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR,
          engine + " could not load " + spec.payload() + ": " + e.getMessage(),
          e);
    } catch (RuntimeException e) {
      throw new AgentException(
          AgentErrorCode.ENGINE_ERROR,
          engine + " could not load " + spec.payload() + ": " + e.getMessage(),
          e);
    }
  }

  private static boolean wantsProvider(RunnerSpec spec, String prefix) {
    List<String> providers = spec.executionProviders();
    return providers != null && !providers.isEmpty() && providers.get(0).startsWith(prefix);
  }
}
