package dev.kiln.agent.runtime;

/** Turns a payload into a running model; the seam that keeps engines out of serving code. */
public interface RunnerFactory {

  /**
   * @throws dev.kiln.agent.AgentException ENGINE_ERROR when the engine refuses the payload
   */
  ModelRunner load(RunnerSpec spec);
}
