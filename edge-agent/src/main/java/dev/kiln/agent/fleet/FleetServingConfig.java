package dev.kiln.agent.fleet;

import dev.kiln.agent.AgentException;
import dev.kiln.agent.serving.ModelManager;
import dev.kiln.agent.store.ServingSettingsStore;
import dev.kiln.link.command.Replier;
import dev.kiln.link.protocol.Command;
import dev.kiln.link.protocol.ProtocolJson;
import dev.kiln.link.protocol.ReplyCode;
import dev.kiln.link.protocol.ServingConfigPayload;

/**
 * The agent's side of a {@code config} command: persist a model's serving settings (what {@code
 * kiln recommend --apply} recommends) and reload its serving versions with them. Runs on the
 * command thread: a reload takes about as long as a model load.
 */
final class FleetServingConfig {
  private final ModelManager models;

  FleetServingConfig(ModelManager models) {
    this.models = models;
  }

  void handle(Command command, Replier reply) {
    ServingConfigPayload p;
    try {
      p = ProtocolJson.payload(command.payload(), ServingConfigPayload.class);
    } catch (Exception e) {
      reply.rejected(ReplyCode.INVALID_COMMAND, "config payload does not parse: " + e);
      return;
    }
    if (p.model() == null
        || p.threads() < 1
        || p.threads() > 512
        || p.predictors() < 1
        || p.predictors() > 64
        || p.maxBatchSize() < 1
        || p.maxBatchSize() > 4096) {
      reply.rejected(
          ReplyCode.INVALID_COMMAND,
          "config needs a model, threads 1-512, predictors 1-64 and maxBatchSize 1-4096 (the"
              + " agent.json limits)");
      return;
    }
    try {
      models.requireModel(p.model());
    } catch (AgentException e) {
      reply.rejected(ReplyCode.INVALID_COMMAND, e.getMessage());
      return;
    }
    reply.accept();
    try {
      models.applyServing(
          p.model(),
          new ServingSettingsStore.Settings(p.threads(), p.predictors(), p.maxBatchSize()));
    } catch (AgentException e) {
      reply.failed(
          ReplyCode.ACTIVATION_FAILED,
          p.model()
              + " did not load with the new settings; the previous ones serve: "
              + e.getMessage());
      return;
    }
    reply.succeeded(
        p.model()
            + " serves with threads "
            + p.threads()
            + ", predictors "
            + p.predictors()
            + ", maxBatchSize "
            + p.maxBatchSize()
            + " (kept in the agent's state)");
  }
}
