/**
 * Engines behind one seam: {@link dev.kiln.agent.runtime.RunnerFactory} turns an artifact payload
 * into a thread-safe {@link dev.kiln.agent.runtime.ModelRunner} over engine-neutral tensors. The
 * only agent package that knows ONNX Runtime and DJL; {@link
 * dev.kiln.agent.runtime.EngineRunnerFactory} picks between them by payload format. Serving and
 * HTTP see only {@link dev.kiln.agent.runtime.Tensor}.
 */
package dev.kiln.agent.runtime;
