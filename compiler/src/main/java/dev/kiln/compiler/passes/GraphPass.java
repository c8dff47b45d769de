package dev.kiln.compiler.passes;

import dev.kiln.compiler.ir.proto.ModelProto;

/**
 * One graph rewrite. A pass edits the builder in place, keeps the node list topologically sorted,
 * and must leave the model's outputs numerically unchanged (within float rounding).
 */
public interface GraphPass {
  String name();

  PassResult apply(ModelProto.Builder model);
}
