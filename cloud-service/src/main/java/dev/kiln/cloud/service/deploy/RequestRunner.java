package dev.kiln.cloud.service.deploy;

import dev.kiln.cloud.service.inbox.InboxRequest;
import dev.kiln.cloud.service.inbox.InboxWorker;
import dev.kiln.fleet.console.FleetConsole;
import dev.kiln.fleet.rollout.ArtifactRef;
import dev.kiln.fleet.rollout.GateConfig;
import dev.kiln.fleet.rollout.TargetSelector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Runs inbox requests on the fleet console. Deploys are idempotent through their derived deployment
 * id ({@link FleetConsole#deploy(String, List, TargetSelector, String, GateConfig)} creates an id
 * once); a replayed cancel or rollback of a deployment that already ended is refused by the
 * console's state machine, which only records the request as FAILED.
 */
public final class RequestRunner implements InboxWorker.Executor {
  private final FleetConsole console;
  private final ArtifactCatalog artifacts;

  public RequestRunner(FleetConsole console, ArtifactCatalog artifacts) {
    this.console = console;
    this.artifacts = artifacts;
  }

  @Override
  public void execute(InboxRequest r) {
    switch (r.kind()) {
      case DEPLOY -> deploy(r);
      case CANCEL -> console.cancel(r.deploymentId());
      case ROLLBACK -> console.rollback(r.deploymentId());
    }
  }

  private void deploy(InboxRequest r) {
    List<ArtifactRef> refs = new ArrayList<>();
    for (String a : r.artifacts()) {
      refs.add(artifacts.load(a));
    }
    console.deploy(r.deploymentId(), refs, target(r.target()), r.strategy(), gate(r.gates()));
  }

  /** {@code all}, {@code group:NAME}, or device ids separated by commas. */
  public static TargetSelector target(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("target is all, group:NAME or device ids");
    }
    if (text.equals("all")) {
      return TargetSelector.everyDevice();
    }
    if (text.startsWith("group:")) {
      return TargetSelector.group(text.substring("group:".length()));
    }
    return TargetSelector.devices(
        Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList());
  }

  public static GateConfig gate(InboxRequest.Gates g) {
    GateConfig d = GateConfig.defaults();
    if (g == null) {
      return d;
    }
    return new GateConfig(
        g.maxErrorRate() != null ? g.maxErrorRate() : d.maxErrorRate(),
        g.maxP95Ratio() != null ? g.maxP95Ratio() : d.maxP95Ratio(),
        g.maxActivationFailureRate() != null
            ? g.maxActivationFailureRate()
            : d.maxActivationFailureRate(),
        g.minSamples() != null ? g.minSamples() : d.minSamples());
  }
}
