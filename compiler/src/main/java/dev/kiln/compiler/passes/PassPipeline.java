package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.proto.ModelProto;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs graph passes in a fixed order, repeated until a whole round changes nothing.
 *
 * <p>Order matters: Identity removal first so folding and fusion see producers directly; constant
 * folding before BatchNorm fusion because exporters often feed BatchNormalization from Constant
 * nodes, which folding turns into initializers; dead-node and unused-initializer cleanup last,
 * because fusion and folding leave replaced weights and orphaned nodes behind. One round is usually
 * enough, but a rewrite can expose another (a folded Identity chain, a Conv whose bias only became
 * constant after folding), so rounds repeat until nothing changes, at most {@link #MAX_ROUNDS}
 * times; each pass only ever shrinks the graph, so this terminates.
 */
public final class PassPipeline {
  public static final int MAX_ROUNDS = 4;

  private final List<GraphPass> passes;

  public PassPipeline(List<GraphPass> passes) {
    this.passes = List.copyOf(passes);
  }

  /** The standard Kiln optimization order. */
  public static PassPipeline standard() {
    return new PassPipeline(
        List.of(
            new IdentityElimination(),
            new ConstantFolding(),
            new BatchNormIntoConv(),
            new DeadNodeElimination(),
            new UnusedInitializerRemoval()));
  }

  public List<GraphPass> passes() {
    return passes;
  }

  /**
   * Optimizes the model in place. Returns one result per pass in pipeline order, merged across
   * rounds: {@code nodesBefore} from its first run, {@code nodesAfter} from its last, {@code
   * changed} if any run changed the model.
   */
  public List<PassResult> run(ModelProto.Builder model) {
    Map<String, PassResult> merged = new LinkedHashMap<>();
    for (int round = 0; round < MAX_ROUNDS; round++) {
      boolean changed = false;
      for (GraphPass pass : passes) {
        PassResult r = pass.apply(model);
        changed |= r.changed();
        merged.merge(pass.name(), r, PassPipeline::merge);
      }
      if (!changed) {
        break;
      }
    }
    return new ArrayList<>(merged.values());
  }

  private static PassResult merge(PassResult first, PassResult next) {
    String detail;
    if (!next.changed()) {
      detail = first.detail();
    } else if (!first.changed()) {
      detail = next.detail();
    } else {
      detail = first.detail() + "; then " + next.detail();
    }
    return new PassResult(
        first.pass(),
        first.changed() || next.changed(),
        first.nodesBefore(),
        next.nodesAfter(),
        detail);
  }
}
