package dev.kiln.bench.agent;

import dev.kiln.testkit.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The agent as a device runs it: its own {@code kiln-agent run} process on its own classpath (its
 * jar and {@code edge-agent/target/lib}), with the device JVM options, listening on a free port,
 * and answering its first inference before this returns. Closing sends SIGTERM.
 */
public final class OwnProcessAgent implements AutoCloseable {
  private final AgentProcess process;
  private final String baseUrl;

  private OwnProcessAgent(AgentProcess process, String baseUrl) {
    this.process = process;
    this.baseUrl = baseUrl;
  }

  /**
   * @param setup the agent's configuration; its port is replaced by a free one
   * @param dir where its config, log and state go
   * @param heap its {@code -Xmx}, as {@code KILN_AGENT_HEAP} would set it
   */
  public static OwnProcessAgent start(
      Path repo, BenchModel model, AgentSetup setup, Path dir, String heap) throws Exception {
    int port = FreePorts.next();
    String baseUrl = "http://127.0.0.1:" + port;
    Files.createDirectories(dir);
    Path config = dir.resolve("agent.json");
    Files.writeString(config, setup.withPort(port).json(dir, "own-process"));
    Path log = dir.resolve("agent.log");
    AgentProcess agent =
        AgentProcess.agent(
            config, log, JvmVariant.deviceDefaults(heap), DeviceJvmBench.agentClasspath(repo));
    try {
      agent.awaitFirstInferenceMillis(new Invoker(baseUrl, model.requestJson(), null), log, 180);
    } catch (Exception e) {
      agent.close();
      throw e;
    }
    return new OwnProcessAgent(agent, baseUrl);
  }

  public String baseUrl() {
    return baseUrl;
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
