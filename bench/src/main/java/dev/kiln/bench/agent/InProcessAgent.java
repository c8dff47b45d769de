package dev.kiln.bench.agent;

import dev.kiln.agent.Agent;
import dev.kiln.agent.cloud.CloudLink;
import dev.kiln.agent.config.AgentConfig;
import dev.kiln.agent.serving.ServedTrafficSink;
import java.nio.file.Path;

/**
 * An agent started in this JVM the way {@code kiln-agent run} starts it (cloud link first when
 * configured), so that a benchmark can interleave it with a direct engine call or another agent.
 */
public final class InProcessAgent implements AutoCloseable {
  private final Agent agent;
  private final CloudLink cloud;

  private InProcessAgent(Agent agent, CloudLink cloud) {
    this.agent = agent;
    this.cloud = cloud;
  }

  public static InProcessAgent start(AgentSetup setup, Path dir, String deviceId) throws Exception {
    AgentConfig cfg = setup.config(dir, deviceId);
    CloudLink cloud = cfg.cloud().enabled() ? CloudLink.start(cfg) : null;
    Agent agent = Agent.start(cfg, cloud == null ? ServedTrafficSink.NOOP : cloud.sink());
    if (cloud != null) {
      cloud.attach(agent);
    }
    return new InProcessAgent(agent, cloud);
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + agent.port();
  }

  public boolean cloudConnected() {
    return cloud != null && cloud.connected();
  }

  @Override
  public void close() {
    agent.close();
    if (cloud != null) {
      cloud.close();
    }
  }
}
