package dev.kiln.agent.serving;

import dev.kiln.agent.AgentErrorCode;
import dev.kiln.agent.AgentException;
import dev.kiln.agent.runtime.Tensor;
import dev.kiln.artifact.Manifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feeds one pipeline step's outputs to the next step's inputs: by name when every input the next
 * step needs is among the outputs, otherwise by position (first output to first input, ...).
 */
final class PipelineWiring {
  private PipelineWiring() {}

  static Map<String, Tensor> connect(
      String step, Manifest.IoSignature next, Map<String, Tensor> previousOutputs) {
    List<String> wanted = next.inputs().stream().map(Manifest.TensorSpec::name).toList();
    Map<String, Tensor> out = new LinkedHashMap<>();
    if (previousOutputs.keySet().containsAll(wanted)) {
      wanted.forEach(n -> out.put(n, previousOutputs.get(n)));
      return out;
    }
    List<Tensor> values = new ArrayList<>(previousOutputs.values());
    if (values.size() < wanted.size()) {
      throw new AgentException(
          AgentErrorCode.INVALID_INPUT,
          "pipeline step '"
              + step
              + "' needs inputs "
              + wanted
              + " but the previous step produced only "
              + previousOutputs.keySet());
    }
    for (int i = 0; i < wanted.size(); i++) {
      out.put(wanted.get(i), values.get(i));
    }
    return out;
  }
}
