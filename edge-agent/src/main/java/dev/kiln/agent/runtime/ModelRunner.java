package dev.kiln.agent.runtime;

import java.util.Map;

/**
 * A loaded model that maps named inputs to named outputs. Implementations are thread-safe. {@link
 * #close} frees native memory; calls after close fail.
 */
public interface ModelRunner extends AutoCloseable {

  Map<String, Tensor> run(Map<String, Tensor> inputs);

  @Override
  void close();
}
