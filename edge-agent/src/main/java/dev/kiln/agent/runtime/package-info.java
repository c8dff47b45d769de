/**
 * Engines behind one seam: {@link dev.kiln.agent.runtime.RunnerFactory} turns an artifact payload
 * into a thread-safe {@link dev.kiln.agent.runtime.ModelRunner} over engine-neutral tensors. The
 * only agent package that knows DJL; serving and HTTP see only {@link
 * dev.kiln.agent.runtime.Tensor}.
 */
package dev.kiln.agent.runtime;
