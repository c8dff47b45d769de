package dev.kiln.compiler.quant;

import dev.kiln.compiler.ir.proto.ModelProto;
import java.util.List;

/**
 * A reduced-precision model plus its precision table.
 *
 * @param scheme what was done, for people and the manifest, e.g. "int8 static QDQ, U8S8 (uint8
 *     activations, int8 per-channel weights), min-max calibration"
 */
public record ReducedModel(ModelProto model, List<NodePrecision> nodes, String scheme) {
  public ReducedModel {
    nodes = List.copyOf(nodes);
  }
}
